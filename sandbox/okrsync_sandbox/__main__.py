"""``python -m okrsync_sandbox``: serve the seeded site on 127.0.0.1:8080 until interrupted.

The site is seeded in the current calendar quarter, its last activity just before now,
unless ``--seed-anchor`` places it around a fixed cycle start.
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from okrsync_sandbox.dataset import API_TOKEN, BOT_EMAIL, PAT, build_dataset
from okrsync_sandbox.server import SandboxServer

DEFAULT_PORT = 8080


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m okrsync_sandbox", description=__doc__)
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="port on 127.0.0.1 (0: any free one)"
    )
    parser.add_argument(
        "--seed-anchor",
        type=date.fromisoformat,
        default=None,
        help="cycle start to place the seeded data around (YYYY-MM-DD; default: the start "
        "of the current quarter)",
    )
    parser.add_argument(
        "--issues", type=int, default=0, help="synthetic issues to add (project BULK)"
    )
    parser.add_argument(
        "--deployment",
        choices=["Cloud", "Server", "DataCenter"],
        default="Cloud",
        help="serve Jira Cloud (REST v3) or Data Center (REST v2, Epic Link, wiki markup)",
    )
    args = parser.parse_args(argv)
    state = build_dataset(args.seed_anchor, extra_issues=args.issues, deployment=args.deployment)
    with SandboxServer(state, port=args.port) as server:
        print(f"Jira sandbox at {server.url}", flush=True)
        if not state.is_cloud:
            print(f"  Data Center mode (deploymentType {state.deployment})", flush=True)
        login = BOT_EMAIL if state.is_cloud else BOT_EMAIL.split("@", 1)[0]
        print(f"  Basic auth: {login} / {API_TOKEN}", flush=True)
        print(f"  Bearer PAT: {PAT}", flush=True)
        latest = max(issue.updated for issue in state.issues)
        print(
            f"  Seeded cycle from {state.anchor}, last activity {latest:%Y-%m-%d %H:%M} UTC",
            flush=True,
        )
        print("  Stop it with Ctrl+C.", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
