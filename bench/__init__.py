"""``python -m bench``: okrsync's Jira pull against a script on the ``jira`` library.

Three processes, so that each one's memory and CPU are its own:

- the sandbox host (``bench.host``): the Jira sandbox with N synthetic issues in
  project BULK and a fixed latency per request, driven over stdin/stdout (request
  log, changing issues);
- okrsync's pull (``bench.okrsync_run``): ``JiraConnector`` + ``Store`` on a SQLite
  file + ``pull_queries``, the code ``okrsync pull`` runs;
- the user's script (``bench.jira_script``): the pycontribs ``jira`` library, one
  search for every issue with the same fields, then each issue's changelog.

Each contender runs a full pull and, after 1% of the issues changed, an incremental
one; ``bench.run`` compares wall time, requests (from the sandbox's log) and peak
memory, and ``bench.report`` prints the table and writes ``bench/RESULTS.md``.

The other parts write sections of their own in that file: the evaluation
(``bench.evaluation``); GitHub (``bench.github_part``: okrsync's pull of N issues with
history from the GitHub sandbox against a script on PyGithub); Redmine
(``bench.redmine_part``: okrsync's pull from a real Redmine against the request
minimum). ``--part`` runs one of them alone.
"""
