"""The ``okrsync`` command."""

from okrsync.cli import cycles, init, loop, serve, views, worker
from okrsync.cli.app import app, main

# Importing the command modules registers their commands on ``app``.
__all__ = ["app", "cycles", "init", "loop", "main", "serve", "views", "worker"]
