"""The exchange portal's registry pages: members (operators), a member's subsystems, and one subsystem's
public keys, services and the access rights it grants (the member's administrators, operators)."""

from __future__ import annotations

from collections.abc import Callable

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.exchange import portal, registry
from functions.exchange.callers import Caller
from functions.exchange.models import SubsystemId
from functions.exchange.routers.portal_pages import account_bar
from functions.exchange.web import http
from functions.exchange.web.texts import select, t, text_input, textarea
from platform_common.browser_session import WebSession
from platform_common.errors import Conflict, DomainError, Forbidden, NotFound
from platform_common.japan_time import shown_time
from platform_common.web_layout import Language, esc, redirect, with_query

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves __init__ unannotated

MEMBER_PAGE = f"{portal.MEMBERS_PATH}/<member_class>/<member_code>"
SUBSYSTEM_PAGE = f"{MEMBER_PAGE}/subsystems/<subsystem>"


def _member_href(member: registry.MemberId, lang: Language) -> str:
    return with_query(f"{portal.MEMBERS_PATH}/{member[1]}/{member[2]}", {"lang": lang})


def _subsystem_path(subsystem: SubsystemId) -> str:
    return (
        f"{portal.MEMBERS_PATH}/{subsystem.member_class}/{subsystem.member_code}/subsystems/{subsystem.subsystem_code}"
    )


def _table(lang: Language, table_id: str, heads: tuple[str, ...], rows: list[str], empty_key: str) -> str:
    if not rows:
        return f'<p id="{table_id}">{esc(t(lang, empty_key))}</p>'
    head = "".join(f'<th scope="col">{esc(t(lang, key))}</th>' for key in heads)
    return (
        f'<div class="table-wrap"><table class="data-table" id="{table_id}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _section(section_id: str, title: str, body: str) -> str:
    return f'<section aria-labelledby="{section_id}"><h2 id="{section_id}">{esc(title)}</h2>{body}</section>'


def _form(action: str, session: WebSession, fields: str, button: str) -> str:
    return (
        f'<form class="form" method="post" action="{esc(action)}">{http.csrf_input(session)}{fields}'
        f'<p><button class="button" type="submit">{esc(button)}</button></p></form>'
    )


def _signed_in(lang: Language) -> tuple[WebSession, Caller] | Response[str]:
    return http.require_sign_in(router, lang)


def _refused(lang: Language, error: DomainError) -> Response[str]:
    if isinstance(error, NotFound):
        return http.message_page(router, lang, "not_found_title", t(lang, "not_found"), 404)
    return http.message_page(router, lang, "forbidden_title", error.detail, 403)


# ------------------------------------------------------------------------------------------------- members


def _members_page(
    lang: Language,
    session: WebSession,
    *,
    values: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Response[str]:
    values, errors = values or {}, errors or {}
    rows = [
        f'<tr><th scope="row"><a href="{esc(_member_href(m.member, lang))}">{esc(m.name)}</a></th>'
        f"<td>{esc(m.member_class)}</td><td>{esc(m.member_code)}</td>"
        f"<td>{esc(t(lang, 'key_yes') if m.kms_key_id else t(lang, 'key_no'))}</td></tr>"
        for m in registry.list_members()
    ]
    classes = [(code, code) for code in ("GOV", "COM", "NGO", "NEE")]
    fields = (
        http.errors_html(lang, errors)
        + select(
            "member_class",
            t(lang, "member_class"),
            classes,
            value=http.first(values, "member_class"),
            error=errors.get("member_class"),
        )
        + text_input(
            "member_code",
            t(lang, "member_code"),
            value=http.first(values, "member_code"),
            error=errors.get("member_code"),
            extra='required inputmode="numeric" autocomplete="off"',
        )
        + text_input(
            "name",
            t(lang, "member_name"),
            value=http.first(values, "name"),
            error=errors.get("name"),
            extra='required maxlength="100"',
        )
    )
    body = (
        account_bar(lang, session)
        + http.notice(message)
        + _section(
            "list-title",
            t(lang, "members_list"),
            _table(lang, "members", ("col_name", "col_class", "col_code", "col_key"), rows, "members_none"),
        )
        + _section(
            "register-title",
            t(lang, "register_member"),
            _form(with_query(portal.MEMBERS_PATH, {"lang": lang}), session, fields, t(lang, "register")),
        )
    )
    return http.page(router, lang, t(lang, "members_title"), body, status=status)


@router.get(portal.MEMBERS_PATH, include_in_schema=False)
def handle_members_page() -> Response[str]:
    lang = http.language(router)
    found = _signed_in(lang)
    if isinstance(found, Response):
        return found
    session, caller = found
    if not caller.operator:
        # a member's administrator goes to its own member page
        own = registry.members_of_corporation(caller.corporate_number) if caller.corporate_number else []
        if own and caller.administers(own[0].member):
            return redirect(_member_href(own[0].member, lang))
        return http.message_page(router, lang, "forbidden_title", t(lang, "you_nothing"), 403)
    message = t(lang, "member_registered") if http.query(router).get("done") == "registered" else None
    return _members_page(lang, session, message=message)


@router.post(portal.MEMBERS_PATH, include_in_schema=False)
def handle_register_member() -> Response[str]:
    lang = http.language(router)
    found = _signed_in(lang)
    if isinstance(found, Response):
        return found
    session, caller = found
    fields = http.form(router)
    session.verify_csrf(http.csrf_of(fields))
    try:
        registry.register_member(
            caller,
            http.first(fields, "member_class"),
            http.first(fields, "member_code").strip(),
            http.first(fields, "name"),
        )
    except Forbidden as error:
        return _refused(lang, error)
    except DomainError as error:
        return _members_page(lang, session, values=fields, errors=http.field_errors(error), status=400)
    return redirect(with_query(portal.MEMBERS_PATH, {"lang": lang, "done": "registered"}))


# ------------------------------------------------------------------------------------------- one member


def _member_page(
    lang: Language,
    session: WebSession,
    member: registry.Member,
    *,
    values: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Response[str]:
    values, errors = values or {}, errors or {}
    rows = [
        f'<tr><th scope="row"><a href="{esc(with_query(_subsystem_path(s.subsystem), {"lang": lang}))}">'
        f"{esc(s.subsystem.subsystem_code)}</a></th><td>{esc(s.name)}</td>"
        f"<td>{esc(', '.join(s.to_json()['key_ids']) or '—')}</td></tr>"
        for s in registry.list_subsystems(member.member)
    ]
    action = with_query(f"{portal.MEMBERS_PATH}/{member.member_class}/{member.member_code}/subsystems", {"lang": lang})
    fields = (
        http.errors_html(lang, errors)
        + text_input(
            "subsystem_code",
            t(lang, "subsystem_code"),
            value=http.first(values, "subsystem_code"),
            error=errors.get("subsystem_code"),
            extra='required autocomplete="off" spellcheck="false"',
        )
        + text_input(
            "name",
            t(lang, "subsystem_name"),
            value=http.first(values, "name"),
            error=errors.get("name"),
            extra='required maxlength="100"',
        )
    )
    body = (
        account_bar(lang, session)
        + f"<p><code>{esc(registry.member_id_text(member.member))}</code></p>"
        + http.notice(message)
        + _section(
            "subsystems-title",
            t(lang, "subsystems"),
            _table(lang, "subsystems", ("col_subsystem", "col_name", "col_keys"), rows, "subsystems_none"),
        )
        + _section("add-title", t(lang, "add_subsystem"), _form(action, session, fields, t(lang, "add")))
    )
    return http.page(router, lang, t(lang, "member_title", name=member.name), body, status=status)


def _member_for(
    lang: Language, member_class: str, member_code: str
) -> tuple[WebSession, Caller, registry.Member] | Response[str]:
    found = _signed_in(lang)
    if isinstance(found, Response):
        return found
    session, caller = found
    try:
        member_id = registry.member_in_instance(member_class, member_code)
        caller.require_admin_of(member_id)
    except DomainError as error:
        return _refused(lang, error)
    member = registry.get_member(member_id)
    if member is None:
        return http.message_page(router, lang, "not_found_title", t(lang, "not_found"), 404)
    return session, caller, member


@router.get(MEMBER_PAGE, include_in_schema=False)
def handle_member_page(member_class: str, member_code: str) -> Response[str]:
    lang = http.language(router)
    found = _member_for(lang, member_class, member_code)
    if isinstance(found, Response):
        return found
    message = t(lang, "subsystem_saved") if http.query(router).get("done") == "saved" else None
    return _member_page(lang, found[0], found[2], message=message)


@router.post(f"{MEMBER_PAGE}/subsystems", include_in_schema=False)
def handle_add_subsystem(member_class: str, member_code: str) -> Response[str]:
    lang = http.language(router)
    found = _member_for(lang, member_class, member_code)
    if isinstance(found, Response):
        return found
    session, caller, member = found
    fields = http.form(router)
    session.verify_csrf(http.csrf_of(fields))
    try:
        registry.save_subsystem(
            caller, member.member, http.first(fields, "subsystem_code").strip(), http.first(fields, "name")
        )
    except DomainError as error:
        return _member_page(lang, session, member, values=fields, errors=http.field_errors(error), status=400)
    return redirect(with_query(f"{portal.MEMBERS_PATH}/{member_class}/{member_code}", {"lang": lang, "done": "saved"}))


# ---------------------------------------------------------------------------------------- one subsystem

_DONE = {"keys": "keys_saved", "service": "service_saved", "granted": "right_granted", "revoked": "right_revoked"}


def _subsystem_page(
    lang: Language,
    session: WebSession,
    subsystem: registry.Subsystem,
    *,
    values: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status: int = 200,
) -> Response[str]:
    values, errors = values or {}, errors or {}
    target = subsystem.subsystem
    base = _subsystem_path(target)
    keys = ", ".join(subsystem.to_json()["key_ids"]) or t(lang, "keys_none")
    keys_form = _form(
        with_query(f"{base}/keys", {"lang": lang}),
        session,
        textarea(
            "jwks",
            t(lang, "keys"),
            value=http.first(values, "jwks"),
            error=errors.get("jwks"),
            hint=t(lang, "keys_hint"),
        ),
        t(lang, "save_keys"),
    )
    services = registry.list_services(target)
    service_rows = [
        f'<tr><th scope="row">{esc(s.service_code)}</th><td>{esc(s.title)}</td>'
        f"<td>{esc(t(lang, 'public_yes') if s.public else t(lang, 'public_no'))}</td><td>{esc(s.endpoint)}</td></tr>"
        for s in services
    ]
    public_checked = " checked" if http.first(values, "public") else ""
    service_form = _form(
        with_query(f"{base}/services", {"lang": lang}),
        session,
        text_input(
            "service_code",
            t(lang, "service_code"),
            value=http.first(values, "service_code"),
            error=errors.get("service_code"),
            extra='required autocomplete="off"',
        )
        + text_input(
            "title",
            t(lang, "service_title"),
            value=http.first(values, "title"),
            error=errors.get("title"),
            extra='required maxlength="100"',
        )
        + textarea(
            "openapi", t(lang, "service_openapi"), value=http.first(values, "openapi"), error=errors.get("openapi")
        )
        + text_input(
            "endpoint",
            t(lang, "service_endpoint"),
            value=http.first(values, "endpoint"),
            error=errors.get("endpoint"),
            extra='required autocomplete="off"',
        )
        + f'<div class="form-check"><input type="checkbox" id="field-public" name="public" value="1"{public_checked}>'
        f'<label for="field-public">{esc(t(lang, "service_public"))}</label></div>',
        t(lang, "save"),
    )
    right_rows = []
    for right in registry.rights_granted_by(target):
        label = esc(t(lang, "revoke_right_label", client=str(right.client), service=right.service_code))
        revoke = (
            f'<form method="post" action="{esc(with_query(f"{base}/rights/revoke", {"lang": lang}))}">'
            f"{http.csrf_input(session)}"
            f'<input type="hidden" name="service_code" value="{esc(right.service_code)}">'
            f'<input type="hidden" name="client" value="{esc(right.client)}">'
            f'<button class="button button--secondary" type="submit" aria-label="{label}">{esc(t(lang, "revoke"))}'
            "</button></form>"
        )
        right_rows.append(
            f'<tr><th scope="row">{esc(right.client)}</th><td>{esc(right.service_code)}</td>'
            f"<td>{esc(shown_time(right.granted_at))}</td><td>{revoke}</td></tr>"
        )
    right_form = _form(
        with_query(f"{base}/rights", {"lang": lang}),
        session,
        select(
            "service_code",
            t(lang, "right_service"),
            [(s.service_code, s.service_code) for s in services],
            value=http.first(values, "service_code"),
            error=errors.get("service_code"),
        )
        + text_input(
            "client",
            t(lang, "right_client"),
            value=http.first(values, "client"),
            error=errors.get("client"),
            extra='required autocomplete="off" spellcheck="false"',
        ),
        t(lang, "grant"),
    )
    body = (
        account_bar(lang, session)
        + f"<p><code>{esc(target)}</code></p>"
        + http.notice(message)
        + http.errors_html(lang, errors)
        + _section("keys-title", t(lang, "keys"), f'<p id="key-ids">{esc(keys)}</p>{keys_form}')
        + _section(
            "services-title",
            t(lang, "services"),
            _table(
                lang,
                "services",
                ("col_service", "col_title", "col_public", "col_endpoint"),
                service_rows,
                "services_none",
            )
            + f"<h3>{esc(t(lang, 'save_service'))}</h3>{service_form}",
        )
        + _section(
            "rights-title",
            t(lang, "rights"),
            _table(
                lang, "rights", ("col_client", "col_service", "col_granted", "col_action"), right_rows, "rights_none"
            )
            + f"<h3>{esc(t(lang, 'grant_right'))}</h3>{right_form}",
        )
    )
    return http.page(router, lang, f"{subsystem.name}（{target.subsystem_code}）", body, status=status)


def _subsystem_for(
    lang: Language, member_class: str, member_code: str, code: str
) -> tuple[WebSession, Caller, registry.Subsystem] | Response[str]:
    found = _member_for(lang, member_class, member_code)
    if isinstance(found, Response):
        return found
    session, caller, member = found
    try:
        subsystem = registry.get_subsystem(SubsystemId(*member.member, registry.check_code("subsystem", code)))
    except DomainError as error:
        return _refused(lang, error)
    if subsystem is None:
        return http.message_page(router, lang, "not_found_title", t(lang, "not_found"), 404)
    return session, caller, subsystem


@router.get(SUBSYSTEM_PAGE, include_in_schema=False)
def handle_subsystem_page(member_class: str, member_code: str, subsystem: str) -> Response[str]:
    lang = http.language(router)
    found = _subsystem_for(lang, member_class, member_code, subsystem)
    if isinstance(found, Response):
        return found
    done = _DONE.get(http.query(router).get("done", ""))
    return _subsystem_page(lang, found[0], found[2], message=t(lang, done) if done else None)


def _subsystem_post(
    member_class: str,
    member_code: str,
    code: str,
    act: Callable[[Caller, SubsystemId, dict[str, list[str]]], None],
    done: str,
) -> Response[str]:
    lang = http.language(router)
    found = _subsystem_for(lang, member_class, member_code, code)
    if isinstance(found, Response):
        return found
    session, caller, subsystem = found
    fields = http.form(router)
    session.verify_csrf(http.csrf_of(fields))
    try:
        act(caller, subsystem.subsystem, fields)
    except (Forbidden, NotFound) as error:
        return _refused(lang, error)
    except (DomainError, Conflict) as error:
        return _subsystem_page(lang, session, subsystem, values=fields, errors=http.field_errors(error), status=400)
    return redirect(with_query(_subsystem_path(subsystem.subsystem), {"lang": lang, "done": done}))


@router.post(f"{SUBSYSTEM_PAGE}/keys", include_in_schema=False)
def handle_set_keys(member_class: str, member_code: str, subsystem: str) -> Response[str]:
    def act(caller: Caller, target: SubsystemId, fields: dict[str, list[str]]) -> None:
        registry.set_client_keys(caller, target, http.first(fields, "jwks"))

    return _subsystem_post(member_class, member_code, subsystem, act, "keys")


@router.post(f"{SUBSYSTEM_PAGE}/services", include_in_schema=False)
def handle_save_service(member_class: str, member_code: str, subsystem: str) -> Response[str]:
    def act(caller: Caller, target: SubsystemId, fields: dict[str, list[str]]) -> None:
        registry.save_service(
            caller,
            target,
            http.first(fields, "service_code").strip(),
            title=http.first(fields, "title"),
            openapi=http.first(fields, "openapi"),
            public=http.first(fields, "public") == "1",
            endpoint=http.first(fields, "endpoint"),
        )

    return _subsystem_post(member_class, member_code, subsystem, act, "service")


@router.post(f"{SUBSYSTEM_PAGE}/rights", include_in_schema=False)
def handle_grant_right(member_class: str, member_code: str, subsystem: str) -> Response[str]:
    def act(caller: Caller, target: SubsystemId, fields: dict[str, list[str]]) -> None:
        client = registry.parse_subsystem_id(http.first(fields, "client"), "client")
        registry.grant_right(caller, target, http.first(fields, "service_code"), client)

    return _subsystem_post(member_class, member_code, subsystem, act, "granted")


@router.post(f"{SUBSYSTEM_PAGE}/rights/revoke", include_in_schema=False)
def handle_revoke_right(member_class: str, member_code: str, subsystem: str) -> Response[str]:
    def act(caller: Caller, target: SubsystemId, fields: dict[str, list[str]]) -> None:
        client = registry.parse_subsystem_id(http.first(fields, "client"), "client")
        registry.revoke_right(caller, target, http.first(fields, "service_code"), client)

    return _subsystem_post(member_class, member_code, subsystem, act, "revoked")
