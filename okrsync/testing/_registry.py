"""Registering a connector type without installing its package, for tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from okrsync.connector import register_connector_type


@contextmanager
def connector_type(name: str, value: str) -> Iterator[None]:
    """``type: NAME`` loads ``value`` (``"okrsync_mytool:MyToolConnector"``) inside the
    block, as the entry point ``NAME = VALUE`` of an installed package would."""
    register_connector_type(name, value)
    try:
        yield
    finally:
        register_connector_type(name, None)
