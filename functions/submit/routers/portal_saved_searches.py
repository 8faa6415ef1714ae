"""Saved subsidy searches on the applicants' pages: "save this search" from the search page (signed in), the list
of one's saved searches and deleting one. The same logic as ``/submit/v1/saved-searches``; alerts go to the
login's e-mail address when a new subsidy matches."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Final

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import ValidationError

from functions.submit import portal
from functions.submit.dal import get_store
from functions.submit.saved_searches import MAX_SEARCHES_PER_USER, SavedSearchRequest, save_search
from functions.submit.schedule import saved_search_store
from functions.submit.web import http
from functions.submit.web.texts import t
from platform_common.browser_session import WebSession
from platform_common.errors import Conflict, InvalidInput, NotFound
from platform_common.japan_time import shown_time
from platform_common.web_layout import Language, esc, redirect, with_query

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated

SAVED_SEARCHES_PATH: Final = f"{portal.PREFIX}/saved-searches"
SEARCH_ID: Final = re.compile(r"^[0-9a-f]{16}$")


def save_search_form(lang: Language, session: WebSession, keyword: str, accepting: bool) -> str:
    """The "save this search" form of the search page (a signed-in user, a keyword of 2 characters or more)."""
    action = esc(with_query(SAVED_SEARCHES_PATH, {"lang": lang}))
    return (
        f'<form method="post" action="{action}" id="save-search">{http.csrf_input(session)}'
        f'<input type="hidden" name="keyword" value="{esc(keyword)}">'
        f'<input type="hidden" name="acceptance" value="{"1" if accepting else "0"}">'
        f'<p class="form-field__hint" id="save-search-hint">{esc(t(lang, "save_search_hint"))}</p>'
        f'<p><button class="button button--secondary" type="submit" aria-describedby="save-search-hint">'
        f"{esc(t(lang, 'save_search'))}</button></p></form>"
    )


@router.get(SAVED_SEARCHES_PATH, include_in_schema=False)
def handle_saved_searches() -> Response[str]:
    lang = http.language(router)
    found = http.require_sign_in(router, lang)
    if isinstance(found, Response):
        return found
    session, principal = found
    params = http.query(router)
    notice = ""
    if params.get("saved") == "1":
        notice = t(lang, "search_saved")
    elif params.get("deleted") == "1":
        notice = t(lang, "search_deleted")
    searches = saved_search_store().list_for(principal.sub)
    head = "".join(
        f'<th scope="col">{esc(t(lang, key))}</th>'
        for key in ("col_keyword", "col_accepting", "col_created", "col_action")
    )
    rows = "".join(
        f'<tr><th scope="row"><a href="{esc(_search_href(lang, s.request))}">{esc(s.request.keyword)}</a></th>'
        f"<td>{esc(t(lang, 'yes' if s.request.acceptance == '1' else 'no'))}</td>"
        f"<td>{esc(shown_time(s.created))}</td><td>"
        f'<form method="post" action="{esc(with_query(f"{SAVED_SEARCHES_PATH}/{s.id}/delete", {"lang": lang}))}">'
        f'{http.csrf_input(session)}<button class="button button--secondary" type="submit" '
        f'aria-label="{esc(t(lang, "delete_search_label", keyword=s.request.keyword))}">'
        f"{esc(t(lang, 'delete'))}</button></form></td></tr>"
        for s in searches
    )
    listing = (
        f'<div class="table-wrap"><table class="data-table" id="saved-searches"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
        if rows
        else f'<p id="saved-searches">{esc(t(lang, "searches_none"))}</p>'
    )
    body = (f'<p class="notice" role="status" id="notice">{esc(notice)}</p>' if notice else "") + listing
    return http.page(router, lang, t(lang, "searches_title"), body)


def _search_href(lang: Language, request: SavedSearchRequest) -> str:
    params = {"lang": lang, "keyword": request.keyword, "acceptance": "1" if request.acceptance == "1" else ""}
    return with_query(portal.SUBSIDIES_PATH, params)


@router.post(SAVED_SEARCHES_PATH, include_in_schema=False)
def handle_save_search() -> Response[str]:
    lang = http.language(router)
    found = http.posted_form(router, http.require_sign_in(router, lang))
    if isinstance(found, Response):
        return found
    _session, principal, posted = found
    back = (t(lang, "list_title"), with_query(portal.SUBSIDIES_PATH, {"lang": lang}))
    try:
        request = SavedSearchRequest.model_validate(
            {"keyword": posted.get("keyword", ""), "acceptance": "1" if posted.get("acceptance") == "1" else "0"}
        )
    except ValidationError:
        return http.message_page(router, lang, "conflict_title", t(lang, "keyword_too_short"), 400, link=back)
    try:
        save_search(saved_search_store(), get_store(), principal.sub, principal.email, request, datetime.now(UTC))
    except InvalidInput:  # the login has no e-mail address
        return http.message_page(router, lang, "conflict_title", t(lang, "no_email"), 400, link=back)
    except Conflict:
        text = t(lang, "too_many_searches", count=MAX_SEARCHES_PER_USER)
        link = (t(lang, "searches_title"), with_query(SAVED_SEARCHES_PATH, {"lang": lang}))
        return http.message_page(router, lang, "conflict_title", text, 409, link=link)
    return redirect(with_query(SAVED_SEARCHES_PATH, {"lang": lang, "saved": "1"}))


@router.post(f"{SAVED_SEARCHES_PATH}/<search_id>/delete", include_in_schema=False)
def handle_delete_search(search_id: str) -> Response[str]:
    lang = http.language(router)
    found = http.require_sign_in(router, lang)
    if isinstance(found, Response):
        return found
    session, principal = found
    session.verify_csrf(http.form(router))
    try:
        if not SEARCH_ID.match(search_id):
            raise NotFound("no such saved search")
        saved_search_store().remove(principal.sub, search_id)  # keyed by the signed-in sub: only one's own
    except NotFound:
        return http.message_page(router, lang, "conflict_title", t(lang, "search_not_found"), 404)
    return redirect(with_query(SAVED_SEARCHES_PATH, {"lang": lang, "deleted": "1"}))
