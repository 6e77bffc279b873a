"""TokenDeck: a desktop manager for the API keys and tokens of data platforms."""

__version__ = "0.1.0"
APP_NAME = "TokenDeck"
APP_ID = "tokendeck"
