"""Request and response helpers of the jGrants pages: language, forms (URL-encoded and multipart), the page
shell, the session (or a redirect to sign in) and the principal it stands for."""

from __future__ import annotations

import base64
import email.parser
import email.policy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.shared.cookies import Cookie

from functions.submit import portal
from functions.submit.principal import Principal, principal_from_session
from functions.submit.web.texts import CHROME, t
from platform_common.browser_session import CSRF_FIELD, WebSession
from platform_common.web_layout import (
    Language,
    SiteChrome,
    choose_language,
    esc,
    other_language,
    redirect,
    render_document,
    with_query,
)

MAX_FORM_BYTES: Final = 256 * 1024
MAX_FORM_FIELDS: Final = 500
# API Gateway and Lambda take at most 6 MB per request, base64 included: larger files go through the API's
# presigned upload (POST /submit/v1/applications/{id}/attachments).
MAX_PAGE_UPLOAD_BYTES: Final = 4 * 1024 * 1024
MAX_MULTIPART_BYTES: Final = MAX_PAGE_UPLOAD_BYTES + 64 * 1024


@dataclass(frozen=True)
class UploadedFile:
    file_name: str
    content_type: str
    body: bytes


def event(router: Router) -> Mapping[str, Any]:
    raw = router.current_event.raw_event
    return raw if isinstance(raw, Mapping) else {}


def query(router: Router) -> dict[str, str]:
    return {str(k): str(v) for k, v in (router.current_event.query_string_parameters or {}).items()}


def language(router: Router) -> Language:
    return choose_language(query(router).get("lang"), router.current_event.headers.get("cookie"))


def _body(router: Router) -> bytes:
    raw = event(router)
    body = raw.get("body") or ""
    return base64.b64decode(body) if raw.get("isBase64Encoded") else str(body).encode("utf-8")


def form(router: Router) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body (the first value of each name); empty when too large."""
    data = _body(router)
    if len(data) > MAX_FORM_BYTES:
        return {}
    parsed = parse_qs(data.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    return {name: values[0] for name, values in parsed.items() if values}


def multipart(router: Router) -> tuple[dict[str, str], UploadedFile | None, bool]:
    """A ``multipart/form-data`` body: its text fields, its first file (``None`` if none was chosen) and
    whether the body was too large to read."""
    content_type = router.current_event.headers.get("content-type") or ""
    data = _body(router)
    if len(data) > MAX_MULTIPART_BYTES:
        return {}, None, True
    if not content_type.lower().startswith("multipart/form-data"):
        return {}, None, False
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1", errors="replace") + b"\r\n\r\n" + data
    )
    fields: dict[str, str] = {}
    upload: UploadedFile | None = None
    for part in message.iter_parts() if message.is_multipart() else ():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        body = payload if isinstance(payload, bytes) else b""
        file_name = part.get_filename()
        if file_name is not None:
            if upload is None and file_name:
                upload = UploadedFile(file_name, part.get_content_type(), body)
            continue
        fields.setdefault(name, body.decode("utf-8", errors="replace"))
    return fields, upload, False


def page(
    router: Router,
    lang: Language,
    title: str,
    body: str,
    *,
    status: int = 200,
    cookies: Sequence[Cookie] = (),
    chrome: SiteChrome = CHROME,
) -> Response[str]:
    """A page in the portal's look (the applicants' chrome unless told); the language switch links to the same
    page in the other language."""
    params = {**query(router), "lang": other_language(lang)}
    switch = with_query(router.current_event.path, params)
    return render_document(
        chrome=chrome, lang=lang, title=title, body=body, switch_href=switch, status=status, cookies=cookies
    )


def csrf_input(session: WebSession) -> str:
    return f'<input type="hidden" name="{CSRF_FIELD}" value="{esc(session.csrf_token)}">'


def login_href(lang: Language, return_to: str) -> str:
    return with_query(portal.LOGIN_PATH, {"lang": lang, "return_to": return_to})


def signed_in(router: Router) -> tuple[WebSession, Principal] | None:
    session = portal.sessions().current(event(router)) if portal.configured() else None
    return (session, principal_from_session(session)) if session is not None else None


def require_sign_in(router: Router, lang: Language) -> tuple[WebSession, Principal] | Response[str]:
    """The session and its principal, or a redirect to sign in and come back to this page (GET only)."""
    found = signed_in(router)
    if found is not None:
        return found
    back = router.current_event.path if router.current_event.http_method == "GET" else portal.APPLICATIONS_PATH
    return redirect(login_href(lang, back))


def posted_form(
    router: Router, found: tuple[WebSession, Principal] | Response[str]
) -> tuple[WebSession, Principal, dict[str, str]] | Response[str]:
    """A state-changing form post by the person ``found`` (what an access check answered): their session,
    principal and the posted fields, its CSRF token checked (a missing or forged one is a 403)."""
    if isinstance(found, Response):
        return found
    session, principal = found
    posted = form(router)
    session.verify_csrf(posted)
    return session, principal, posted


def message_page(
    router: Router,
    lang: Language,
    title_key: str,
    message: str,
    status: int,
    *,
    link: tuple[str, str] | None = None,
    chrome: SiteChrome = CHROME,
) -> Response[str]:
    role = "alert" if status >= 400 else "status"
    body = f'<p class="notice{" notice--error" if status >= 400 else ""}" role="{role}">{esc(message)}</p>'
    if link is not None:
        body += f'<p><a class="button" href="{esc(link[1])}">{esc(link[0])}</a></p>'
    return page(router, lang, t(lang, title_key), body, status=status, chrome=chrome)
