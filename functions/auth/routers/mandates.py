"""Mandate pages: a Prime holder grants and revokes; every account sees the mandates granted to it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.auth import mandates
from functions.auth.dal import ProfileItem, get_store
from functions.auth.models import AccountTier
from functions.auth.prime.pages import field_errors, form_values, message_page, origin_of, table
from functions.auth.web.layout import (
    csrf_input,
    error_summary,
    esc,
    form_field,
    parse_form,
    redirect,
    render_page,
    verify_csrf,
)
from functions.auth.web.layout import request_language as _lang
from functions.auth.web.messages import register_messages, t
from functions.auth.web.session import BrowserSession, require_session
from platform_common.errors import Forbidden, InvalidInput, NotFound

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves Router.__init__ unannotated

MANDATES_PATH = "/account/mandates"

register_messages(
    {
        "ja": {
            "mandates.title": "委任",
            "mandates.received.caption": "あなたが受けている委任",
            "mandates.received.empty": "あなたが受けている委任はありません。",
            "mandates.granted.caption": "この法人が出している委任",
            "mandates.granted.empty": "この法人が出している委任はありません。",
            "mandates.col.corporation": "委任元の法人",
            "mandates.col.grantee": "委任先",
            "mandates.col.procedures": "手続",
            "mandates.col.until": "期限",
            "mandates.col.status": "状態",
            "mandates.col.actions": "操作",
            "mandates.status.ACTIVE": "有効",
            "mandates.status.REVOKED": "取消済み",
            "mandates.status.EXPIRED": "期限切れ",
            "mandates.revoke": "取り消す",
            "mandates.grant.title": "委任する",
            "mandates.grant.lead": (
                "社外の税理士・行政書士など、他の gBizID アカウントに、選んだ手続を期限付きで委任できます。"
            ),
            "mandates.field.grantee_email": "委任先のメールアドレス (gBizIDアカウント)",
            "mandates.field.procedures": "委任する手続",
            "mandates.field.other_procedures": "その他の手続コード (カンマ区切り)",
            "mandates.field.valid_until": "期限 (1年以内)",
            "mandates.grant.submit": "委任する",
            "mandates.done.granted": "委任しました。委任先にメールでお知らせしました。",
            "mandates.done.revoked": "委任を取り消しました。",
        },
        "en": {
            "mandates.title": "Mandates",
            "mandates.received.caption": "Mandates granted to you",
            "mandates.received.empty": "No mandate is granted to you.",
            "mandates.granted.caption": "Mandates of this corporation",
            "mandates.granted.empty": "This corporation has granted no mandate.",
            "mandates.col.corporation": "Granting corporation",
            "mandates.col.grantee": "Grantee",
            "mandates.col.procedures": "Procedures",
            "mandates.col.until": "Valid until",
            "mandates.col.status": "Status",
            "mandates.col.actions": "Actions",
            "mandates.status.ACTIVE": "Active",
            "mandates.status.REVOKED": "Revoked",
            "mandates.status.EXPIRED": "Expired",
            "mandates.revoke": "Revoke",
            "mandates.grant.title": "Grant a mandate",
            "mandates.grant.lead": (
                "Let another gBizID account, such as an outside tax accountant, act for the corporation in the "
                "procedures you choose until a date."
            ),
            "mandates.field.grantee_email": "Grantee's e-mail address (gBizID account)",
            "mandates.field.procedures": "Procedures",
            "mandates.field.other_procedures": "Other procedure codes (comma-separated)",
            "mandates.field.valid_until": "Valid until (at most one year)",
            "mandates.grant.submit": "Grant",
            "mandates.done.granted": "The mandate was granted and the grantee was told by e-mail.",
            "mandates.done.revoked": "The mandate was revoked.",
        },
    }
)


def _procedure_options(lang: str) -> list[tuple[str, str]]:
    clients = get_store().list_relying_parties()
    return [
        (client.client_id, client.name_en if lang == "en" and client.name_en else client.client_name)
        for client in clients
    ]


def _grant_form(
    lang: str, session: BrowserSession, values: Mapping[str, Sequence[str]], errors: Mapping[str, str]
) -> str:
    chosen = set(values.get("procedures", []))
    error = errors.get("procedures")
    first_id = ' id="field-procedures"'
    boxes = "".join(
        f'<label class="choice"><input type="checkbox" name="procedures" value="{esc(code)}"'
        f"{' checked' if code in chosen else ''}{first_id if i == 0 else ''}> "
        f"{esc(name)} <code>{esc(code)}</code></label>"
        for i, (code, name) in enumerate(_procedure_options(lang))
    )
    error_html = f'<p class="form-field__error" id="field-procedures-error">{esc(error)}</p>' if error else ""
    described = ' aria-describedby="field-procedures-error"' if error else ""

    def one(name: str) -> str:
        found = values.get(name) or [""]
        return found[-1]

    return "".join(
        [
            f"<h2>{esc(t(lang, 'mandates.grant.title'))}</h2>",
            f"<p>{esc(t(lang, 'mandates.grant.lead'))}</p>",
            error_summary(lang, errors),
            f'<form class="form" method="post" action="{MANDATES_PATH}" novalidate>{csrf_input(session)}',
            form_field(
                "grantee_email",
                t(lang, "mandates.field.grantee_email"),
                type="email",
                autocomplete="email",
                value=one("grantee_email"),
                error=errors.get("grantee_email"),
            ),
            f'<fieldset class="form-fieldset form-field{" form-field--error" if error else ""}"{described}>'
            f"<legend>{esc(t(lang, 'mandates.field.procedures'))}</legend>{error_html}{boxes}</fieldset>",
            form_field(
                "other_procedures",
                t(lang, "mandates.field.other_procedures"),
                required=False,
                autocomplete="off",
                value=one("other_procedures"),
            ),
            form_field(
                "valid_until",
                t(lang, "mandates.field.valid_until"),
                type="date",
                value=one("valid_until"),
                error=errors.get("valid_until"),
            ),
            f'<button class="button" type="submit">{esc(t(lang, "mandates.grant.submit"))}</button></form>',
        ]
    )


def _status(mandate: mandates.Mandate) -> str:
    if mandate.status == mandates.ACTIVE and not mandate.active_on(mandates.today_jst()):
        return "EXPIRED"
    return mandate.status


def _page(
    lang: str,
    session: BrowserSession,
    profile: ProfileItem | None,
    *,
    values: Mapping[str, Sequence[str]] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str = "",
    status: int = 200,
) -> Response[str]:
    received = [
        (
            f"{esc(m.corporation_name)}<br><small>{esc(m.corporate_number)}</small>",
            esc(", ".join(m.procedures)),
            esc(m.valid_until.isoformat()),
        )
        for m in mandates.mandates_granted_to(session.sub)
    ]
    parts = [
        f'<p class="notice" role="status">{esc(notice)}</p>' if notice else "",
        table(
            t(lang, "mandates.received.caption"),
            [t(lang, f"mandates.col.{c}") for c in ("corporation", "procedures", "until")],
            received,
            t(lang, "mandates.received.empty"),
        ),
    ]
    if profile is not None and profile.tier is AccountTier.PRIME:
        granted = []
        for m in mandates.mandates_granted_by(profile):
            state = _status(m)
            action = ""
            if state == mandates.ACTIVE:
                action = (
                    f'<form class="form--inline" method="post" action="{MANDATES_PATH}/{esc(m.mandate_id)}/revoke">'
                    f'{csrf_input(session)}<button class="button button--secondary" type="submit" '
                    f'aria-label="{esc(t(lang, "mandates.revoke"))} {esc(m.grantee_email)}">'
                    f"{esc(t(lang, 'mandates.revoke'))}</button></form>"
                )
            granted.append(
                (
                    esc(m.grantee_email),
                    esc(", ".join(m.procedures)),
                    esc(m.valid_until.isoformat()),
                    esc(t(lang, f"mandates.status.{state}")),
                    action,
                )
            )
        parts.append(
            table(
                t(lang, "mandates.granted.caption"),
                [t(lang, f"mandates.col.{c}") for c in ("grantee", "procedures", "until", "status", "actions")],
                granted,
                t(lang, "mandates.granted.empty"),
            )
        )
        parts.append(_grant_form(lang, session, values or {}, errors or {}))
    return render_page(lang=lang, title=t(lang, "mandates.title"), body="".join(parts), status=status)


@router.get(MANDATES_PATH, include_in_schema=False)
def handle_get_mandates() -> Response[str]:
    event = router.current_event
    lang = _lang(event)
    session = require_session(event)
    done = (event.query_string_parameters or {}).get("done", "")
    notice = t(lang, f"mandates.done.{done}") if done in ("granted", "revoked") else ""
    return _page(lang, session, get_store().get_profile(session.sub), notice=notice)


@router.post(MANDATES_PATH, include_in_schema=False)
def handle_post_mandate() -> Response[str]:
    event = router.current_event
    lang = _lang(event)
    session = require_session(event)
    form = parse_form(event)
    verify_csrf(session, form)
    profile = get_store().get_profile(session.sub)
    chosen = form_values(event, "procedures")
    other = form.get("other_procedures", "")
    values: dict[str, Sequence[str]] = {
        "grantee_email": [form.get("grantee_email", "")],
        "procedures": chosen,
        "other_procedures": [other],
        "valid_until": [form.get("valid_until", "")],
    }
    try:
        mandates.grant_mandate(
            profile,
            grantee_email=form.get("grantee_email", ""),
            procedures=[*chosen, *other.replace("，", ",").replace("、", ",").split(",")],
            valid_until=form.get("valid_until", ""),
            lang=lang,
            origin=origin_of(event),
        )
    except InvalidInput as error:
        return _page(lang, session, profile, values=values, errors=field_errors(lang, error), status=400)
    except Forbidden as error:
        return message_page(lang, error)
    return redirect(f"{MANDATES_PATH}?done=granted")


@router.post(f"{MANDATES_PATH}/<mandate_id>/revoke", include_in_schema=False)
def handle_post_mandate_revocation(mandate_id: str) -> Response[str]:
    event = router.current_event
    lang = _lang(event)
    session = require_session(event)
    form = parse_form(event)
    verify_csrf(session, form)
    try:
        mandates.revoke_mandate(get_store().get_profile(session.sub), mandate_id, origin=origin_of(event))
    except (Forbidden, NotFound) as error:
        return message_page(lang, error)
    return redirect(f"{MANDATES_PATH}?done=revoked")
