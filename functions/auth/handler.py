"""Lambda entry point of gBizID: decorators around the resolver, nothing else."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.auth.notify import retry_kept_notices
from functions.auth.routers import ROUTERS
from functions.auth.settings import SERVICE, get_settings
from functions.auth.web.errors import error_page, wants_page
from functions.auth.web.layout import CsrfRejected, bind_request, esc, redirect, render_page, request_language, t
from functions.auth.web.session import LoginRequired
from platform_common.api import Answers, build_resolver
from platform_common.correlation import correlated
from platform_common.errors import DomainError, problem_headers, problem_response
from platform_common.observability import observability_for
from platform_common.scheduled import is_scheduled_event

get_settings()  # fail the cold start on a missing or malformed variable
obs = observability_for(SERVICE)

app = build_resolver(
    SERVICE,
    title="gBizID OpenID Provider",
    description="Common corporate login: OpenID Connect for relying systems, accounts of three tiers.",
    routers=ROUTERS,
    answers=(
        Answers("/account", problems=(401, 403, 404, 409, 429), html=True, redirects=(303,)),
        Answers("/operator", problems=(401, 403, 404, 409), html=True, redirects=(303,)),
        Answers("/oauth/authorize", problems=(403,), html=True, redirects=(302, 303)),
        Answers("/oauth/logout", problems=(403,), html=True, redirects=(303,)),
    ),
)


@app.exception_handler(LoginRequired)
def handle_login_required(exc: LoginRequired) -> Response[str]:
    """A page that needs a (fresh) login: to the login page, and back here afterwards."""
    return_to = exc.return_to if exc.return_to.startswith("/") and not exc.return_to.startswith("//") else "/account"
    return redirect("/account/login?return_to=" + quote(return_to, safe="/"))


@app.exception_handler(CsrfRejected)
def handle_csrf_rejected(exc: CsrfRejected) -> Response[str]:
    """A forged or stale form: 403, as a page the person can act on."""
    lang = request_language(app.current_event)
    body = f'<p>{esc(t(lang, "error.csrf"))}</p><p><a href="/account">{esc(t(lang, "error.back"))}</a></p>'
    return render_page(lang=lang, title=t(lang, "error.forbidden_title"), body=body, status=403)


@app.exception_handler(DomainError)
def handle_domain_error(exc: DomainError) -> Response[str]:
    """A refused request: a page for a browser on a page route (same status), problem+json for the rest."""
    event = app.current_event
    if wants_page(event):
        return error_page(request_language(event), int(exc.status))
    return problem_response(exc.status, exc.slug, exc.detail, exc.errors, event.path, problem_headers(exc))


@app.not_found
def handle_not_found(_exc: Exception) -> Response[str]:
    """No such route: a page for a browser under /account or /operator, problem+json for the rest."""
    event = app.current_event
    if wants_page(event):
        return error_page(request_language(event), 404)
    return problem_response(HTTPStatus.NOT_FOUND, "no-such-route", f"no route for {event.path}", instance=event.path)


@obs.logger.inject_lambda_context
@correlated(obs.logger)  # X-Correlation-Id in, in every log line, out and onwards
@obs.tracer.capture_lambda_handler
@obs.metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if is_scheduled_event(event):  # the rule that sends notices SES or SNS refused earlier (notice_outbox.py)
        return retry_kept_notices()
    bind_request(event)  # the pages' language switch links back to the page being served
    return app.resolve(event, context)
