"""Pydantic models of request bodies, one module per resource."""
