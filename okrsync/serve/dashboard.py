"""The dashboard: the report's page (``okrsync.report``) of the latest recorded results,
with a bar to sync now, each KR's explanation and pushes on demand, the insights panel
(once a cycle is closed), and the recent runs.

It stays live without reloading: the page asks ``/api/runs`` every few seconds and,
when a run has finished since, fetches ``/dashboard/main`` and swaps the report in.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from okrsync.cli.tables import instant_label
from okrsync.report import insights_section
from okrsync.store import RunRecord

POLL_SECONDS = 2

# Solid colours the browser test finds in screenshots: the bar, the button, the
# explanation panel and a failed run's row.
BAR, BUTTON, PANEL, FAILED = "#24292f", "#0969da", "#fff8c5", "#ffebe9"

_STYLE = f"""
.live-bar {{ position: sticky; top: 0; z-index: 5; display: flex; gap: 1rem;
  align-items: center; background: {BAR}; color: #fff; padding: .5rem 1rem; }}
.live-bar .grow {{ flex: 1; }}
#sync-now {{ background: {BUTTON}; color: #fff; border: 0; padding: .45rem 1.1rem;
  font-size: 1rem; border-radius: 6px; cursor: pointer; }}
#sync-now:disabled {{ opacity: .6; }}
.explain-toggle {{ margin: .4rem 0; }}
.explanation {{ background: {PANEL}; padding: .6rem; overflow-x: auto; font-size: .8rem;
  white-space: pre; }}
.runs table {{ border-collapse: collapse; width: 100%; }}
.runs td, .runs th {{ padding: .25rem .5rem; text-align: left; border-bottom: 1px solid #ddd;
  vertical-align: top; }}
.runs tr.run-failed {{ background: {FAILED}; }}
.runs td.errors {{ white-space: pre-wrap; font-size: .8rem; }}
"""

_SCRIPT = """
(() => {
  let seen = document.body.dataset.lastRun;
  const state = document.getElementById('live-state');
  const button = document.getElementById('sync-now');
  async function refresh() {
    const answer = await fetch('/dashboard/main', {credentials: 'same-origin'});
    if (!answer.ok) return;
    document.getElementById('live').innerHTML = await answer.text();
    wire();
  }
  async function poll() {
    try {
      const answer = await fetch('/api/runs', {credentials: 'same-origin'});
      if (answer.ok) {
        const runs = await answer.json();
        const busy = runs.queue.running.length + runs.queue.waiting.length;
        state.textContent = busy ? `syncing: ${busy} unit run(s) queued or running` : 'up to date';
        if (String(runs.last_finished) !== String(seen)) {
          seen = runs.last_finished;
          await refresh();
        }
        if (!busy) button.disabled = false;
      }
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }
  function wire() {
    for (const card of document.querySelectorAll('article.kr')) {
      if (card.querySelector('.explain-toggle')) continue;
      const kr = card.id.replace(/^kr-/, '');
      const toggle = document.createElement('button');
      toggle.className = 'explain-toggle';
      toggle.textContent = 'Explain';
      const panel = document.createElement('pre');
      panel.className = 'explanation';
      panel.hidden = true;
      toggle.addEventListener('click', async () => {
        if (panel.hidden) {
          const answer = await fetch(`/dashboard/explain/${encodeURIComponent(kr)}`,
                                     {credentials: 'same-origin'});
          panel.textContent = await answer.text();
        }
        panel.hidden = !panel.hidden;
      });
      card.querySelector('.kr-head').after(toggle, panel);
    }
  }
  button.addEventListener('click', async () => {
    button.disabled = true;
    state.textContent = 'sync queued';
    await fetch('/api/sync', {method: 'POST', credentials: 'same-origin',
                              headers: {'Content-Type': 'application/json'}, body: '{}'});
  });
  wire();
  setTimeout(poll, POLL_MS);
})();
""".replace("POLL_MS", str(POLL_SECONDS * 1000))


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def runs_section(records: Sequence[RunRecord], zone: ZoneInfo) -> str:
    """The recent runs: unit, outcome, when, and the errors of those that failed."""
    rows = []
    for run in records:
        ended = run.finished_at or run.started_at
        errors = "\n".join(run.errors)
        rows.append(
            f'<tr class="run-{esc(run.status)}" data-run="{run.id}">'
            f"<td>{run.id}</td><td>{esc(run.unit or 'every file')}</td>"
            f"<td>{esc(run.command)}</td><td>{esc(run.status)}</td>"
            f"<td>{esc(instant_label(ended, zone))}</td>"
            f'<td class="errors">{esc(errors)}</td></tr>'
        )
    body = "".join(rows) or '<tr><td colspan="6">No run yet.</td></tr>'
    return (
        '<section class="runs objective depth-0" id="recent-runs"><h2>Recent runs</h2>'
        "<table><thead><tr><th>Run</th><th>Unit</th><th>Command</th><th>Outcome</th>"
        f"<th>Ended</th><th>Errors</th></tr></thead><tbody>{body}</tbody></table></section>"
    )


def insights_panel(document: Mapping[str, Any] | None) -> str:
    """How well the team estimates (``okrsync insights``), shown once a cycle is closed;
    nothing before."""
    section = insights_section(document)
    if not section:
        return ""
    return f'<aside class="insights-panel objective depth-0" id="insights-panel">{section}</aside>'


def main_fragment(report_page: str | None, runs: str) -> str:
    """What ``#live`` holds: the report's main part, then the recent runs."""
    if report_page is None:
        report = (
            '<main class="report"><p class="empty">No results recorded yet: press '
            "“Sync now”.</p></main>"
        )
    else:
        start = report_page.index("<main")
        report = report_page[start : report_page.rindex("</main>") + len("</main>")]
    return report + runs


def page(report_page: str | None, fragment: str, last_run: int | None) -> str:
    """The whole dashboard page around ``fragment`` (see ``main_fragment``)."""
    head = "<head><meta charset='utf-8'><title>okrsync</title></head>"
    if report_page is not None:
        head = report_page[report_page.index("<head>") : report_page.index("</head>") + 7]
    head = head.replace("</head>", f"<style>{_STYLE}</style></head>")
    return (
        f'<!DOCTYPE html>\n<html lang="en">{head}'
        f'<body data-last-run="{esc(last_run if last_run is not None else "")}">'
        '<div class="live-bar"><strong>okrsync</strong>'
        '<span class="grow" id="live-state">up to date</span>'
        '<button id="sync-now" type="button">Sync now</button></div>'
        f'<div id="live">{fragment}</div>'
        f"<script>{_SCRIPT}</script></body></html>\n"
    )


def login_page(failed: bool = False) -> str:
    message = '<p class="error">That is not the token.</p>' if failed else ""
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<title>okrsync: log in</title></head><body>"
        "<form method='post' action='/login'><h1>okrsync</h1>"
        f"{message}<label>Serve token <input type='password' name='token' "
        "autocomplete='current-password' autofocus></label> "
        "<button type='submit'>Log in</button></form></body></html>\n"
    )


def last_finished(records: Sequence[RunRecord]) -> int | None:
    """The run that ended last: the dashboard refreshes when it changes. By the time it
    ended, not by id: runs queued together end in any order (a failing unit often
    first), and each run that ends after the newest one must refresh the page too."""
    ended = [r for r in records if r.finished_at is not None]
    return max(ended, key=lambda r: (r.finished_at, r.id)).id if ended else None


def runs_document(records: Sequence[RunRecord], queue: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "last_finished": last_finished(records),
        "runs": [
            {
                "id": r.id,
                "unit": r.unit,
                "command": r.command,
                "status": r.status,
                "started_at": r.started_at.astimezone(UTC).isoformat(),
                "finished_at": r.finished_at.isoformat() if r.finished_at else None,
                "errors": r.errors,
                "request": r.pulled.get("request") if isinstance(r.pulled, dict) else None,
                "worker": r.pulled.get("worker") if isinstance(r.pulled, dict) else None,
            }
            for r in records
        ],
        "queue": queue,
        "at": datetime.now(UTC).isoformat(),
    }
