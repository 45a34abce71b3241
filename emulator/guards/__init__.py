"""Checks every request passes between its credentials and its handler (emulator/routing.py::dispatch):
rate limits, injected faults, key roles and simulated latency. Each is off until configured."""
