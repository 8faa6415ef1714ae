"""Operator pages of the relying-party registry: list, register, edit (role operator)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.auth.audit import record_event
from functions.auth.dal import RelyingPartyItem, get_store
from functions.auth.models import StaffRole
from functions.auth.oidc.endpoints import _form_lists
from functions.auth.oidc.registry import ACCOUNT_TYPES, AUTH_METHODS, REGISTRABLE_SCOPES, build_registration
from functions.auth.web.layout import csrf_input, error_summary, esc, form_field, redirect, render_page, verify_csrf
from functions.auth.web.layout import request_language as _lang
from functions.auth.web.messages import register_messages, t
from functions.auth.web.request import source_ip, user_agent
from functions.auth.web.session import BrowserSession, require_session
from platform_common.errors import NotFound

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves Router.__init__ unannotated

BASE = "/operator/relying-parties"
OPERATORS = {StaffRole.OPERATOR}

register_messages(
    {
        "ja": {
            "rp.list.title": "利用システムの登録",
            "rp.list.new": "利用システムを登録する",
            "rp.list.empty": "登録された利用システムはありません。",
            "rp.col.client": "クライアントID",
            "rp.col.name": "名称",
            "rp.col.types": "利用できるアカウント",
            "rp.col.method": "認証方式",
            "rp.new.title": "利用システムを登録",
            "rp.edit.title": "利用システムを編集",
            "rp.field.client_id": "クライアントID",
            "rp.field.name_ja": "名称 (日本語)",
            "rp.field.name_en": "名称 (英語)",
            "rp.field.redirect_uris": "リダイレクトURI (1行に1つ、完全一致)",
            "rp.field.post_logout_redirect_uris": "ログアウト後のリダイレクトURI (1行に1つ)",
            "rp.field.method": "トークンエンドポイントの認証方式",
            "rp.field.jwks": "公開鍵 (JWK Set、private_key_jwt のとき)",
            "rp.field.scopes": "許可するスコープ",
            "rp.field.types": "手続に必要なアカウント種別",
            "rp.field.ida": "身元確認結果 (jp_gbizid_v1_ida) の提供を承認する",
            "rp.save": "保存する",
            "rp.secret.title": "クライアントシークレット",
            "rp.secret.once": "この値は一度だけ表示されます。利用システムの管理者へ安全に渡してください。",
            "rp.saved": "保存しました。",
        },
        "en": {
            "rp.list.title": "Relying systems",
            "rp.list.new": "Register a relying system",
            "rp.list.empty": "No relying system is registered.",
            "rp.col.client": "Client ID",
            "rp.col.name": "Name",
            "rp.col.types": "Accounts allowed",
            "rp.col.method": "Authentication",
            "rp.new.title": "Register a relying system",
            "rp.edit.title": "Edit a relying system",
            "rp.field.client_id": "Client ID",
            "rp.field.name_ja": "Name (Japanese)",
            "rp.field.name_en": "Name (English)",
            "rp.field.redirect_uris": "Redirect URIs (one per line, matched exactly)",
            "rp.field.post_logout_redirect_uris": "Post-logout redirect URIs (one per line)",
            "rp.field.method": "Token endpoint authentication",
            "rp.field.jwks": "Public keys (JWK Set, for private_key_jwt)",
            "rp.field.scopes": "Allowed scopes",
            "rp.field.types": "Account types the procedures need",
            "rp.field.ida": "Approved for verified claims (jp_gbizid_v1_ida)",
            "rp.save": "Save",
            "rp.secret.title": "Client secret",
            "rp.secret.once": "Shown once only. Hand it to the relying system's administrator securely.",
            "rp.saved": "Saved.",
        },
    }
)

_TYPE_LABELS = {"1": "1 エントリー / Entry", "2": "2 プライム / Prime", "3": "3 メンバー / Member"}


def _textarea(name: str, label: str, value: str, error: str | None, *, rows: int = 3) -> str:
    field_id = f"field-{name}"
    described = f' aria-describedby="{field_id}-error" aria-invalid="true"' if error else ""
    error_html = f'<p class="form-field__error" id="{field_id}-error">{esc(error)}</p>' if error else ""
    return (
        f'<div class="form-field{" form-field--error" if error else ""}">'
        f'<label class="form-field__label" for="{field_id}">{esc(label)}</label>{error_html}'
        f'<textarea class="form-field__input" id="{field_id}" name="{name}" rows="{rows}"{described}>'
        f"{esc(value)}</textarea></div>"
    )


def _choices(
    name: str, legend: str, options: Sequence[tuple[str, str]], chosen: set[str], error: str | None, kind: str
) -> str:
    field_id = f"field-{name}"
    described = f' aria-describedby="{field_id}-error"' if error else ""
    error_html = f'<p class="form-field__error" id="{field_id}-error">{esc(error)}</p>' if error else ""
    boxes = "".join(
        f'<label class="choice"><input type="{kind}" name="{name}" value="{esc(value)}"'
        f"{' checked' if value in chosen else ''}{f' id={chr(34)}{field_id}{chr(34)}' if i == 0 else ''}> "
        f"{esc(text)}</label> "
        for i, (value, text) in enumerate(options)
    )
    return (
        f'<fieldset class="form-field{" form-field--error" if error else ""}"{described}>'
        f"<legend>{esc(legend)}</legend>{error_html}{boxes}</fieldset>"
    )


def _form_page(
    lang: str,
    session: BrowserSession,
    *,
    existing: RelyingPartyItem | None,
    values: Mapping[str, Sequence[str]],
    errors: Mapping[str, str],
    status: int = 200,
) -> Response[str]:
    def one(name: str) -> str:
        found = values.get(name) or [""]
        return found[-1]

    action = f"{BASE}/{existing.client_id}" if existing else BASE
    parts = [
        error_summary(lang, errors),
        f'<form method="post" action="{esc(action)}" novalidate>',
        csrf_input(session),
    ]
    if existing is None:
        parts.append(
            form_field(
                "client_id", t(lang, "rp.field.client_id"), value=one("client_id"), error=errors.get("client_id")
            )
        )
    else:
        parts.append(f"<p>{esc(t(lang, 'rp.field.client_id'))}: <code>{esc(existing.client_id)}</code></p>")
    parts.append(form_field("name_ja", t(lang, "rp.field.name_ja"), value=one("name_ja"), error=errors.get("name_ja")))
    parts.append(
        form_field(
            "name_en", t(lang, "rp.field.name_en"), value=one("name_en"), required=False, error=errors.get("name_en")
        )
    )
    parts.append(
        _textarea("redirect_uris", t(lang, "rp.field.redirect_uris"), one("redirect_uris"), errors.get("redirect_uris"))
    )
    parts.append(
        _textarea(
            "post_logout_redirect_uris",
            t(lang, "rp.field.post_logout_redirect_uris"),
            one("post_logout_redirect_uris"),
            errors.get("post_logout_redirect_uris"),
        )
    )
    parts.append(
        _choices(
            "token_endpoint_auth_method",
            t(lang, "rp.field.method"),
            [(m, m) for m in AUTH_METHODS],
            {one("token_endpoint_auth_method") or AUTH_METHODS[0]},
            errors.get("token_endpoint_auth_method"),
            "radio",
        )
    )
    parts.append(_textarea("jwks", t(lang, "rp.field.jwks"), one("jwks"), errors.get("jwks"), rows=6))
    parts.append(
        _choices(
            "allowed_scopes",
            t(lang, "rp.field.scopes"),
            [(s, s) for s in REGISTRABLE_SCOPES],
            set(values.get("allowed_scopes", [])),
            errors.get("allowed_scopes"),
            "checkbox",
        )
    )
    parts.append(
        _choices(
            "allowed_account_types",
            t(lang, "rp.field.types"),
            [(c, _TYPE_LABELS[c]) for c in ACCOUNT_TYPES],
            set(values.get("allowed_account_types", [])),
            errors.get("allowed_account_types"),
            "checkbox",
        )
    )
    parts.append(
        _choices(
            "ida_approved",
            t(lang, "rp.field.ida"),
            [("yes", "承認 / approved")],
            set(values.get("ida_approved", [])),
            None,
            "checkbox",
        )
    )
    parts.append(f'<button class="button" type="submit">{esc(t(lang, "rp.save"))}</button></form>')
    title = t(lang, "rp.edit.title" if existing else "rp.new.title")
    return render_page(lang=lang, title=title, body="".join(parts), status=status)


def _values_of(item: RelyingPartyItem) -> dict[str, list[str]]:
    return {
        "name_ja": [item.client_name],
        "name_en": [item.name_en],
        "redirect_uris": ["\n".join(item.redirect_uris)],
        "post_logout_redirect_uris": ["\n".join(item.post_logout_redirect_uris)],
        "token_endpoint_auth_method": [item.token_endpoint_auth_method],
        "jwks": [item.jwks or ""],
        "allowed_scopes": list(item.allowed_scopes),
        "allowed_account_types": list(item.allowed_account_types),
        "ida_approved": ["yes"] if item.ida_approved else [],
    }


def _save(existing: RelyingPartyItem | None) -> Response[str]:
    event = router.current_event
    lang = _lang(event)
    session = require_session(event, roles=OPERATORS)
    form = _form_lists(event)
    verify_csrf(session, {name: values[-1] for name, values in form.items() if values})
    outcome = build_registration(form, existing)
    kind = "client.updated" if existing else "client.registered"
    if outcome.item is None:
        return _form_page(lang, session, existing=existing, values=form, errors=outcome.errors, status=400)
    if existing is None and get_store().get_relying_party(outcome.item.client_id) is not None:
        errors = {"client_id": "このクライアントIDは使われています / this client ID is taken"}
        return _form_page(lang, session, existing=None, values=form, errors=errors, status=400)
    get_store().put_relying_party(outcome.item)
    record_event(
        kind,
        outcome="success",
        actor_sub=session.sub,
        source_ip=source_ip(event),
        user_agent=user_agent(event),
        detail={
            "client_id": outcome.item.client_id,
            "auth_method": outcome.item.token_endpoint_auth_method,
            "account_types": ",".join(outcome.item.allowed_account_types),
            "scopes": " ".join(outcome.item.allowed_scopes),
        },
    )
    if outcome.client_secret is None:
        return redirect(f"{BASE}?saved={outcome.item.client_id}")
    body = (
        f'<p role="status">{esc(t(lang, "rp.saved"))}</p>'
        f"<h2>{esc(t(lang, 'rp.secret.title'))}</h2>"
        f"<p>{esc(t(lang, 'rp.secret.once'))}</p>"
        f"<p><code>{esc(outcome.client_secret)}</code></p>"
        f'<p><a href="{BASE}">{esc(t(lang, "rp.list.title"))}</a></p>'
    )
    return render_page(lang=lang, title=t(lang, "rp.secret.title"), body=body, status=201)


@router.get(BASE, summary="Relying parties (operator page)", tags=["operator"], include_in_schema=False)
def handle_get_relying_parties() -> Response[str]:
    event = router.current_event
    lang = _lang(event)
    require_session(event, roles=OPERATORS)
    clients = get_store().list_relying_parties()
    rows = "".join(
        f'<tr><td><a href="{BASE}/{esc(c.client_id)}"><code>{esc(c.client_id)}</code></a></td>'
        f"<td>{esc(c.client_name)}{f' / {esc(c.name_en)}' if c.name_en else ''}</td>"
        f"<td>{esc(', '.join(c.allowed_account_types))}</td><td>{esc(c.token_endpoint_auth_method)}</td></tr>"
        for c in clients
    )
    table = (
        f'<table class="table"><thead><tr><th scope="col">{esc(t(lang, "rp.col.client"))}</th>'
        f'<th scope="col">{esc(t(lang, "rp.col.name"))}</th><th scope="col">{esc(t(lang, "rp.col.types"))}</th>'
        f'<th scope="col">{esc(t(lang, "rp.col.method"))}</th></tr></thead><tbody>{rows}</tbody></table>'
        if clients
        else f"<p>{esc(t(lang, 'rp.list.empty'))}</p>"
    )
    body = f'<p><a class="button" href="{BASE}/new">{esc(t(lang, "rp.list.new"))}</a></p>{table}'
    return render_page(lang=lang, title=t(lang, "rp.list.title"), body=body)


@router.get(f"{BASE}/new", summary="Register a relying party (form)", tags=["operator"], include_in_schema=False)
def handle_get_new_relying_party() -> Response[str]:
    event = router.current_event
    session = require_session(event, roles=OPERATORS)
    defaults = {
        "token_endpoint_auth_method": ["client_secret_basic"],
        "allowed_scopes": ["openid", "profile", "email"],
        "allowed_account_types": ["1", "2", "3"],
    }
    return _form_page(_lang(event), session, existing=None, values=defaults, errors={})


@router.post(BASE, summary="Register a relying party", tags=["operator"], include_in_schema=False)
def handle_post_relying_party() -> Response[str]:
    return _save(None)


def _existing(client_id: str) -> RelyingPartyItem:
    found = get_store().get_relying_party(client_id)
    if found is None:
        raise NotFound(detail="no such relying party")
    return found


@router.get(f"{BASE}/<client_id>", summary="Edit a relying party (form)", tags=["operator"], include_in_schema=False)
def handle_get_relying_party(client_id: str) -> Response[str]:
    event = router.current_event
    session = require_session(event, roles=OPERATORS)
    existing = _existing(client_id)
    return _form_page(_lang(event), session, existing=existing, values=_values_of(existing), errors={})


@router.post(f"{BASE}/<client_id>", summary="Update a relying party", tags=["operator"], include_in_schema=False)
def handle_post_relying_party_update(client_id: str) -> Response[str]:
    require_session(router.current_event, roles=OPERATORS)
    return _save(_existing(client_id))
