"""``python -m okrsync_sandbox --port 8080``: serve the seeded site until interrupted."""

from __future__ import annotations

import argparse
import time
from datetime import date

from okrsync_sandbox.dataset import API_TOKEN, BOT_EMAIL, PAT, build_dataset
from okrsync_sandbox.server import SandboxServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m okrsync_sandbox", description=__doc__)
    parser.add_argument(
        "--port", type=int, default=8080, help="port on 127.0.0.1 (0: any free one)"
    )
    parser.add_argument(
        "--seed-anchor",
        type=date.fromisoformat,
        default=date(2027, 1, 1),
        help="cycle start the seeded data is placed around (YYYY-MM-DD)",
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
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
