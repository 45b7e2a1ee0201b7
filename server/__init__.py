"""Baobab's classroom node: the Flask app, its API, models, services and CLI."""

from .app import create_app
from .version import __version__

__all__ = ["__version__", "create_app"]
