"""The ``okrsync`` command."""

from okrsync.cli import init, loop, serve, views
from okrsync.cli.app import app, main

# Importing the command modules registers their commands on ``app``.
__all__ = ["app", "init", "loop", "main", "serve", "views"]
