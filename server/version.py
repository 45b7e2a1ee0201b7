"""The version of Baobab, in one place."""

__version__ = "0.1.0"
