"""``python okrsync_at.py INSTANT ARGS...``: the okrsync CLI with ARGS, in a process
whose clock shows INSTANT (ISO 8601) and runs on from there.

The crash tests kill okrsync, so it runs in a process of its own; the sandbox's site
lives in 2027, and okrsync must share its "now" (as the in-process tests do by
travelling in time)."""

from __future__ import annotations

import sys
from datetime import datetime

import time_machine


def main() -> None:
    instant = datetime.fromisoformat(sys.argv[1])
    with time_machine.travel(instant, tick=True):
        from okrsync.cli import app

        app(sys.argv[2:], prog_name="okrsync")


if __name__ == "__main__":
    main()
