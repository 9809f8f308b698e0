"""Futures that their caller stops waiting for (a pull that ends early, or fails)."""

from __future__ import annotations

import asyncio
from typing import Any


def settle(future: asyncio.Future[Any]) -> None:
    """Cancel it if still under way; if done, take its outcome, so that asyncio does not
    report an exception as never retrieved (the caller's own error is the one that
    counts)."""
    if future.done():
        if not future.cancelled():
            future.exception()
    else:
        future.cancel()
