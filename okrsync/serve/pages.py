"""The dashboard's pages (behind the serve token) and the login form."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from urllib.parse import parse_qs

from rich.console import Console
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from okrsync.cli.explain import show_explanation
from okrsync.cli.views import status_document
from okrsync.report import build_report
from okrsync.secrets import redact
from okrsync.serve import dashboard
from okrsync.serve.api import RECENT_RUNS, InsightsCache, evaluation_now
from okrsync.serve.auth import COOKIE, SESSION_HOURS
from okrsync.serve.http_parts import Handler, TooLarge, bounded_body, in_thread, too_large
from okrsync.serve.service import Service

log = logging.getLogger("okrsync.serve")


class Pages:
    def __init__(self, service: Service, insights: InsightsCache | None = None) -> None:
        self.service = service
        self.insights = insights or InsightsCache(service)

    def routes(self, guard: Callable[..., Handler]) -> list[Route]:
        return [
            Route("/", guard(self.home, page=True)),
            Route("/dashboard/main", guard(self.main_part)),
            Route("/dashboard/explain/{kr}", guard(self.explain)),
            Route("/login", self.login_form, methods=["GET"]),
            Route("/login", self.login, methods=["POST"]),
        ]

    def _live(self) -> tuple[str | None, str, int | None]:
        """(the report page, what ``#live`` holds, the newest finished run)."""
        service = self.service
        document = status_document(service.project, service.store)
        report = (
            None
            if document is None
            else build_report(service.project, service.store, document, with_insights=False)
        )
        records = service.store.runs(RECENT_RUNS)
        fragment = dashboard.main_fragment(
            report,
            dashboard.insights_panel(self.insights.document())
            + dashboard.runs_section(records, service.project.timezone),
        )
        return report, fragment, dashboard.last_finished(records)

    async def home(self, request: Request) -> Response:
        report, fragment, last = await in_thread(self._live)
        return HTMLResponse(dashboard.page(report, fragment, last))

    async def main_part(self, request: Request) -> Response:
        _report, fragment, _last = await in_thread(self._live)
        return HTMLResponse(fragment)

    async def explain(self, request: Request) -> Response:
        kr_id = request.path_params["kr"]
        if not self.service.project.has_kr(kr_id):
            return PlainTextResponse(f"no key result has the id '{kr_id}'\n", status_code=404)
        evaluation = await in_thread(lambda: evaluation_now(self.service))
        # The explanation ``okrsync explain KR`` prints, as plain text.
        text = io.StringIO()
        console = Console(file=text, width=100, markup=False, emoji=False)
        show_explanation(console, self.service.project, evaluation, kr_id)
        pushes = await in_thread(lambda: pushes_text(self.service, kr_id))
        return PlainTextResponse(redact(text.getvalue() + pushes))

    async def login_form(self, request: Request) -> Response:
        return HTMLResponse(dashboard.login_page())

    async def login(self, request: Request) -> Response:
        # The form is urlencoded: parsed here, without a multipart parser to install.
        try:
            form = parse_qs((await bounded_body(request)).decode("utf-8", "replace"))
        except TooLarge:
            return too_large()
        given = (form.get("token") or [""])[0]
        if not given or not self.service.guard.token_ok(given):
            log.warning("a login with a wrong token was refused")
            return HTMLResponse(dashboard.login_page(failed=True), status_code=401)
        answer = RedirectResponse("/", status_code=303)
        answer.set_cookie(
            COOKIE,
            self.service.guard.session(),
            max_age=SESSION_HOURS * 3600,
            secure=True,
            httponly=True,
            samesite="strict",
        )
        return answer


def pushes_text(service: Service, kr_id: str) -> str:
    """The KR's pushes as its latest recorded result has them."""
    _as_of, krs, _objectives = service.store.latest_results()
    for result in krs:
        if result.kr_id == kr_id:
            pushes = result.data.get("pushes") or []
            lines = [
                f"  {p.get('to')} {p.get('target')} {p.get('what')}: "
                f"{p.get('old')} -> {p.get('new')}"
                for p in pushes
                if isinstance(p, dict)
            ]
            stale = result.data.get("stale")
            head = "\npushes of the latest run:" if lines else "\nthe latest run pushed nothing new"
            return "\n".join([head, *lines, *([f"stale: {stale}"] if stale else [])]) + "\n"
    return "\nno result recorded yet\n"
