"""``python -m bench_serve`` (``make bench-serve``): okrsync serve under load.

Processes, each measured on its own:

- the sandbox host (``bench_serve.host``): the Jira and GitHub sandboxes seeded for N
  units (``bench_serve.layout``), 20 ms added to every request, driven over
  stdin/stdout (close an item, list the writes received);
- ``okrsync serve`` on a workspace of N mapping files (``bench_serve.workspace``), its
  runs on worker threads, or on ``okrsync worker`` processes with ``--broker``;
- this process, which sends the deliveries (``bench_serve.load``) and matches each
  real one to the write that carried its result (``bench_serve.measure``).

``bench_serve.report`` prints the figures and writes a section of
``bench/SERVE_RESULTS.md``.
"""
