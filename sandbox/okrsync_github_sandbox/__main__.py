"""``python -m okrsync_github_sandbox``: serve the seeded organization on 127.0.0.1:8081
until interrupted (REST at the root, GraphQL at /graphql).

The organization is seeded in the current calendar quarter, its last activity just
before now, unless ``--seed-anchor`` places it around a fixed cycle start.
"""

from __future__ import annotations

from okrsync_sandbox.loopback import sandbox_arguments, serve_until_interrupted

from okrsync_github_sandbox.dataset import TOKEN
from okrsync_github_sandbox.server import GitHubSandbox

DEFAULT_PORT = 8081


def main(argv: list[str] | None = None) -> int:
    parser = sandbox_arguments("python -m okrsync_github_sandbox", __doc__, DEFAULT_PORT)
    args = parser.parse_args(argv)
    with GitHubSandbox(anchor=args.seed_anchor, port=args.port) as github:
        print(f"GitHub sandbox at {github.url} (GraphQL at {github.url}/graphql)", flush=True)
        print(f"token: {TOKEN}   project: acme/5", flush=True)
        serve_until_interrupted()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
