"""The project's benchmark: `make bench`."""
