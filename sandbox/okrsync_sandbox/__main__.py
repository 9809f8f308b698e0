"""``python -m okrsync_sandbox``: serve the seeded site on 127.0.0.1:8080 until interrupted.

The site is seeded in the current calendar quarter, its last activity just before now,
unless ``--seed-anchor`` places it around a fixed cycle start.
"""

from __future__ import annotations

from okrsync_sandbox.dataset import API_TOKEN, BOT_EMAIL, PAT, build_dataset
from okrsync_sandbox.loopback import sandbox_arguments, serve_until_interrupted
from okrsync_sandbox.server import SandboxServer

DEFAULT_PORT = 8080


def main(argv: list[str] | None = None) -> int:
    parser = sandbox_arguments("python -m okrsync_sandbox", __doc__, DEFAULT_PORT)
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
        serve_until_interrupted()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
