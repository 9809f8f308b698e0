"""``python -m okrsync_github_sandbox``: serve the seeded organization on 127.0.0.1:8081
until interrupted (REST at the root, GraphQL at /graphql).

The organization is seeded in the current calendar quarter, its last activity just
before now, unless ``--seed-anchor`` places it around a fixed cycle start.
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from okrsync_github_sandbox.dataset import TOKEN
from okrsync_github_sandbox.server import GitHubSandbox

DEFAULT_PORT = 8081


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m okrsync_github_sandbox", description=__doc__)
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
    args = parser.parse_args(argv)
    with GitHubSandbox(anchor=args.seed_anchor, port=args.port) as github:
        print(f"GitHub sandbox at {github.url} (GraphQL at {github.url}/graphql)", flush=True)
        print(f"token: {TOKEN}   project: acme/5", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
