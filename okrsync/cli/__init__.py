"""The ``okrsync`` command."""

from okrsync.cli.app import app, main

__all__ = ["app", "main"]
