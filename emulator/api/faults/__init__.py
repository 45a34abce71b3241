"""`/_emulator/faults`: add, list and delete the rules that break requests (emulator/guards/faults.py)."""
