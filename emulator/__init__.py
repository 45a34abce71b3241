"""aoai-emulator: a local, deterministic emulator of Azure OpenAI and the OpenAI API."""

__version__ = "0.1.0"
