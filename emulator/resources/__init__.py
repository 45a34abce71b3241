"""Thin HTTP endpoints, one module per API resource; `OPERATIONS` lists what each one serves."""
