"""Audit pages: the operator's query and chain verification (HTML, and JSON for tooling with
``Accept: application/json``), and each user's own recent logins. Thin: the work is in
:mod:`functions.auth.audit`."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any, Final

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from functions.auth import audit
from functions.auth.accounts import cognito
from functions.auth.accounts.policy import normalize_email
from functions.auth.audit import AuditEntry, ChainVerification
from functions.auth.models import StaffRole
from functions.auth.web import request as web_request
from functions.auth.web.layout import (
    error_summary,
    esc,
    form_field,
    register_messages,
    render_page,
    request_language,
    t,
)
from functions.auth.web.session import require_session
from platform_common.digits import is_ascii_digits
from platform_common.errors import FieldError, Forbidden, InvalidInput
from platform_common.japan_time import shown_time

router = Router()  # type: ignore[no-untyped-call]  # powertools leaves Router.__init__ unannotated

JST: Final = timezone(timedelta(hours=9), "JST")  # Japan has no daylight saving time
QUERY_LIMIT: Final = 100
VERIFY_DEFAULT_SPAN: Final = 1000  # the newest entries checked when no range is given
_KIND: Final = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")

KNOWN_KINDS: Final = (
    "account.signed_up",
    "account.email_verified",
    "login.succeeded",
    "login.failed",
    "login.locked",
    "login.second_factor_failed",
    "session.ended",
    "password.changed",
    "factor.enrolled",
    "factor.removed",
    "recovery_codes.generated",
    "prime.applied",
    "prime.approved",
    "prime.rejected",
    "member.invited",
    "member.suspended",
    "member.enabled",
    "member.deleted",
    "mandate.granted",
    "mandate.revoked",
    "client.registered",
    "client.updated",
    "token.issued",
    "token.refreshed",
    "token.refresh_reused",
    "consent.granted",
    "notification.failed",
)

register_messages(
    {
        "ja": {
            "audit.activity.title": "最近のログイン",
            "audit.activity.lead": "お使いのアカウントへの最近のログインです（新しい順、最大20件）。"
            "心当たりのないログインがある場合は、すぐにパスワードを変更してください。",
            "audit.activity.none": "ログインの記録はまだありません。",
            "audit.activity.caption": "最近のログインの一覧",
            "audit.col.time": "日時",
            "audit.col.outcome": "結果",
            "audit.col.ip": "IPアドレス",
            "audit.col.device": "端末",
            "audit.col.seq": "番号",
            "audit.col.kind": "種別",
            "audit.col.actor": "操作した人",
            "audit.col.subject": "対象",
            "audit.col.detail": "詳細",
            "audit.outcome.success": "成功",
            "audit.outcome.failure": "失敗",
            "audit.kind.login.succeeded": "ログイン成功",
            "audit.kind.login.failed": "パスワード誤り",
            "audit.kind.login.locked": "ロック中のためログイン不可",
            "audit.kind.login.second_factor_failed": "2要素認証の失敗",
            "audit.unknown": "不明",
            "audit.query.title": "監査ログの検索",
            "audit.query.lead": (
                "アカウントのメールアドレス、種別、期間（日本時間）で検索します。最大100件を新しい順に表示します。"
            ),
            "audit.query.email": "アカウントのメールアドレス",
            "audit.query.kind": "種別",
            "audit.query.kind_all": "すべて",
            "audit.query.from": "開始日",
            "audit.query.to": "終了日",
            "audit.query.submit": "検索",
            "audit.query.results": "検索結果（{count}件）",
            "audit.query.none": "該当する記録はありません。",
            "audit.query.caption": "監査ログの検索結果",
            "audit.query.to_verify": "ハッシュチェーンを検証する",
            "audit.error.email": "メールアドレスの形式で入力してください。",
            "audit.error.no_account": "このメールアドレスのアカウントはありません。",
            "audit.error.kind": "一覧から種別を選んでください。",
            "audit.error.date": "日付は 2025-04-01 の形式で入力してください。",
            "audit.error.range": "終了日は開始日以降にしてください。",
            "audit.error.seq": "1以上の整数を入力してください。",
            "audit.error.seq_range": "終了番号は開始番号以上にしてください。",
            "audit.verify.title": "監査ログの検証",
            "audit.verify.lead": (
                "各記録のハッシュを計算し直し、前の記録とのつながりと、"
                "S3に保管した改ざん防止コピーとの一致を確かめます。"
            ),
            "audit.verify.from": "開始番号",
            "audit.verify.to": "終了番号",
            "audit.verify.range_hint": "空欄の場合は最新の1000件を検証します。",
            "audit.verify.submit": "検証する",
            "audit.verify.ok": (
                "改ざんは見つかりませんでした。"
                "{from_seq}番から{to_seq}番までの{checked}件を検証しました（最新は{head}番）。"
            ),
            "audit.verify.broken": "{seq}番の記録で不整合が見つかりました: {reason}",
            "audit.verify.empty": "検証する記録はありません。",
            "audit.reason.missing": "記録がありません（削除された可能性があります）",
            "audit.reason.out_of_order": "別の番号の記録が置かれています（並べ替えられた可能性があります）",
            "audit.reason.hash_mismatch": "内容がハッシュと一致しません（書き換えられた可能性があります）",
            "audit.reason.link_broken": "前の記録とのつながり（prev_hash）が一致しません",
            "audit.reason.archive_missing": "S3の保管コピーがありません",
            "audit.reason.archive_mismatch": "S3の保管コピーと内容が異なります",
            "audit.reason.archive_overwritten": "S3の保管コピーが上書きされています",
            "audit.reason.head_mismatch": "ログの先頭情報が最後の記録と一致しません",
            "audit.reason.truncated": "ログの末尾が切り詰められています（保管コピーのほうが多い）",
            "audit.forbidden": "このページは運用担当者（オペレーター）だけが利用できます。",
            "audit.back": "アカウントのトップへ戻る",
        },
        "en": {
            "audit.activity.title": "Recent logins",
            "audit.activity.lead": "Recent logins to your account (newest first, up to 20). "
            "If you see one that was not you, change your password at once.",
            "audit.activity.none": "There are no logins on record yet.",
            "audit.activity.caption": "Recent logins",
            "audit.col.time": "Time",
            "audit.col.outcome": "Result",
            "audit.col.ip": "IP address",
            "audit.col.device": "Device",
            "audit.col.seq": "No.",
            "audit.col.kind": "Event",
            "audit.col.actor": "Actor",
            "audit.col.subject": "Subject",
            "audit.col.detail": "Detail",
            "audit.outcome.success": "Succeeded",
            "audit.outcome.failure": "Failed",
            "audit.kind.login.succeeded": "Logged in",
            "audit.kind.login.failed": "Wrong password",
            "audit.kind.login.locked": "Refused: account locked",
            "audit.kind.login.second_factor_failed": "Second factor failed",
            "audit.unknown": "unknown",
            "audit.query.title": "Search the audit trail",
            "audit.query.lead": "Search by the account's e-mail address, event and period (Japan time). "
            "Up to 100 entries, newest first.",
            "audit.query.email": "Account e-mail address",
            "audit.query.kind": "Event",
            "audit.query.kind_all": "All",
            "audit.query.from": "From (date)",
            "audit.query.to": "To (date)",
            "audit.query.submit": "Search",
            "audit.query.results": "Results ({count})",
            "audit.query.none": "No entries match.",
            "audit.query.caption": "Audit trail entries found",
            "audit.query.to_verify": "Verify the hash chain",
            "audit.error.email": "Enter an e-mail address.",
            "audit.error.no_account": "There is no account with this e-mail address.",
            "audit.error.kind": "Choose an event from the list.",
            "audit.error.date": "Enter a date as 2025-04-01.",
            "audit.error.range": "The end date must not be before the start date.",
            "audit.error.seq": "Enter a whole number of 1 or more.",
            "audit.error.seq_range": "The last number must not be below the first.",
            "audit.verify.title": "Verify the audit trail",
            "audit.verify.lead": "Recomputes every entry's hash, checks its link to the entry before it and "
            "compares it with its write-once copy in S3.",
            "audit.verify.from": "First entry number",
            "audit.verify.to": "Last entry number",
            "audit.verify.range_hint": "Leave both empty to verify the newest 1000 entries.",
            "audit.verify.submit": "Verify",
            "audit.verify.ok": "No tampering found: entries {from_seq} to {to_seq} ({checked}) verified "
            "(the newest is {head}).",
            "audit.verify.broken": "Entry {seq} is broken: {reason}",
            "audit.verify.empty": "There are no entries to verify.",
            "audit.reason.missing": "the entry is missing (it may have been deleted)",
            "audit.reason.out_of_order": "another entry is stored in its place (it may have been reordered)",
            "audit.reason.hash_mismatch": "its content does not match its hash (it may have been changed)",
            "audit.reason.link_broken": "its prev_hash is not the hash of the entry before it",
            "audit.reason.archive_missing": "its copy in S3 is missing",
            "audit.reason.archive_mismatch": "it differs from its copy in S3",
            "audit.reason.archive_overwritten": "its copy in S3 was written more than once",
            "audit.reason.head_mismatch": "the head of the log does not name the last entry",
            "audit.reason.truncated": "the log was cut short (the archive holds later entries)",
            "audit.forbidden": "This page is for platform operators only.",
            "audit.back": "Back to your account",
        },
    }
)


def _event() -> Any:
    return router.current_event


def _lang() -> str:
    return request_language(_event())


def wants_json(event: Any) -> bool:
    accept = (web_request.header(event, "accept") or "").lower()
    return "application/json" in accept and "text/html" not in accept


_BROWSERS: Final = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"))
_SYSTEMS: Final = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def describe_device(user_agent: str | None, lang: str) -> str:
    """A person-readable device from the User-Agent ("Chrome / Windows"), or the raw value if unknown."""
    if not user_agent:
        return t(lang, "audit.unknown")
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None)
    if browser is None and "Safari/" in user_agent:
        browser = "Safari"
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), None)
    if browser and system:
        return f"{browser} / {system}"
    return browser or system or user_agent[:60]


def _forbidden_page(lang: str) -> Response[str]:
    body = f'<p>{esc(t(lang, "audit.forbidden"))}</p><p><a href="/account">{esc(t(lang, "audit.back"))}</a></p>'
    return render_page(lang=lang, title=t(lang, "error.forbidden_title"), body=body, status=403)


def _require_operator() -> Response[str] | None:
    """``None`` for an operator's session; a 403 page otherwise (problem+json for JSON callers)."""
    try:
        require_session(_event(), roles={StaffRole.OPERATOR})
    except Forbidden:
        if wants_json(_event()):
            raise
        return _forbidden_page(_lang())
    return None


def _table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f'<th scope="col">{esc(name)}</th>' for name in headers)
    body = "\n".join("<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return (
        f'<div class="table-wrap" role="region" aria-label="{esc(caption)}" tabindex="0">'
        f'<table class="data-table"><caption>{esc(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table></div>"
    )


# -- the user's own logins


@router.get("/account/activity", summary="The signed-in user's recent logins (HTML)", tags=["audit"])
def handle_get_account_activity() -> Response[str]:
    lang = _lang()
    session = require_session(_event())
    logins = audit.recent_logins(session.sub)
    if logins:
        rows = [
            (
                shown_time(entry.time, seconds=True),
                t(lang, f"audit.kind.{entry.kind}"),
                entry.source_ip or t(lang, "audit.unknown"),
                describe_device(entry.user_agent, lang),
            )
            for entry in logins
        ]
        headers = [t(lang, f"audit.col.{name}") for name in ("time", "outcome", "ip", "device")]
        listing = _table(t(lang, "audit.activity.caption"), headers, rows)
    else:
        listing = f'<p class="notice notice--info">{esc(t(lang, "audit.activity.none"))}</p>'
    body = f"""<p>{esc(t(lang, "audit.activity.lead"))}</p>
{listing}
<p><a href="/account">{esc(t(lang, "audit.back"))}</a></p>"""
    return render_page(lang=lang, title=t(lang, "audit.activity.title"), body=body)


# -- operator: query


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _jst_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=JST)


def parse_query(params: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The search's arguments for :func:`audit.find_entries` and the errors by field (message keys)."""
    errors: dict[str, str] = {}
    arguments: dict[str, Any] = {"limit": QUERY_LIMIT}
    email = params.get("email", "").strip()
    if email:
        normalized = normalize_email(email)
        if normalized is None:
            errors["email"] = "audit.error.email"
        else:
            user = cognito.get_user(normalized)
            if user is None:
                errors["email"] = "audit.error.no_account"
            else:
                arguments["sub"] = user.sub
    kind = params.get("kind", "").strip()
    if kind:
        if not _KIND.fullmatch(kind) or len(kind) > 64:
            errors["kind"] = "audit.error.kind"
        else:
            arguments["kinds"] = [kind]
    start = params.get("from", "").strip()
    end = params.get("to", "").strip()
    start_day = _parse_date(start) if start else None
    end_day = _parse_date(end) if end else None
    if start and start_day is None:
        errors["from"] = "audit.error.date"
    if end and end_day is None:
        errors["to"] = "audit.error.date"
    if start_day and end_day and end_day < start_day:
        errors["to"] = "audit.error.range"
    if start_day:
        arguments["since"] = _jst_midnight(start_day)
    if end_day:
        arguments["until"] = _jst_midnight(end_day + timedelta(days=1))
    return arguments, errors


def _kind_select(lang: str, selected: str, error: str | None) -> str:
    options = [f'<option value="">{esc(t(lang, "audit.query.kind_all"))}</option>']
    for kind in KNOWN_KINDS:
        chosen = " selected" if kind == selected else ""
        options.append(f'<option value="{esc(kind)}"{chosen}>{esc(kind)}</option>')
    described = ' aria-describedby="field-kind-error" aria-invalid="true"' if error else ""
    message = f'<p class="form-field__error" id="field-kind-error">{esc(error)}</p>' if error else ""
    return (
        f'<div class="form-field{" form-field--error" if error else ""}">'
        f'<label class="form-field__label" for="field-kind">{esc(t(lang, "audit.query.kind"))}</label>{message}'
        f'<select class="form-field__input" id="field-kind" name="kind"{described}>{"".join(options)}</select></div>'
    )


def _entry_rows(entries: Sequence[AuditEntry]) -> list[list[str]]:
    return [
        [
            str(entry.seq),
            shown_time(entry.time, seconds=True),
            entry.kind,
            entry.outcome,
            entry.actor_sub or "-",
            entry.subject_sub or "-",
            entry.source_ip or "-",
            ", ".join(f"{key}={value}" for key, value in entry.detail.items()) or "-",
        ]
        for entry in entries
    ]


def _query_page(
    lang: str,
    params: Mapping[str, str],
    *,
    errors: Mapping[str, str],
    entries: Sequence[AuditEntry] | None,
    status: int = 200,
) -> Response[str]:
    shown = {name: t(lang, key) for name, key in errors.items()}
    form = f"""{error_summary(lang, shown)}
<p>{esc(t(lang, "audit.query.lead"))}</p>
<form class="form" method="get" action="/operator/audit" novalidate>
{
        form_field(
            "email",
            t(lang, "audit.query.email"),
            type="email",
            autocomplete="off",
            required=False,
            value=params.get("email", ""),
            error=shown.get("email"),
        )
    }
{_kind_select(lang, params.get("kind", ""), shown.get("kind"))}
{
        form_field(
            "from",
            t(lang, "audit.query.from"),
            type="date",
            required=False,
            value=params.get("from", ""),
            error=shown.get("from"),
        )
    }
{
        form_field(
            "to",
            t(lang, "audit.query.to"),
            type="date",
            required=False,
            value=params.get("to", ""),
            error=shown.get("to"),
        )
    }
{f'<input type="hidden" name="lang" value="{esc(lang)}">' if lang == "en" else ""}
<button class="button" type="submit">{esc(t(lang, "audit.query.submit"))}</button>
</form>"""
    results = ""
    if entries is not None:
        heading = f'<h2 id="results-title">{esc(t(lang, "audit.query.results", count=len(entries)))}</h2>'
        if entries:
            names = ("seq", "time", "kind", "outcome", "actor", "subject", "ip", "detail")
            headers = [t(lang, f"audit.col.{name}") for name in names]
            results = heading + _table(t(lang, "audit.query.caption"), headers, _entry_rows(entries))
        else:
            results = heading + f"<p>{esc(t(lang, 'audit.query.none'))}</p>"
    verify_link = f'<p><a href="/operator/audit/verify">{esc(t(lang, "audit.query.to_verify"))}</a></p>'
    return render_page(lang=lang, title=t(lang, "audit.query.title"), body=form + results + verify_link, status=status)


def _problem(errors: Mapping[str, str]) -> InvalidInput:
    found = [FieldError(name, t("en", key)) for name, key in errors.items()]
    return InvalidInput(detail="; ".join(f"{e.item}: {e.message}" for e in found), errors=found)


@router.get(
    "/operator/audit",
    summary="Search the audit trail by account, event and period (operators; HTML or JSON)",
    tags=["audit"],
)
def handle_get_operator_audit() -> Response[Any]:
    refused = _require_operator()
    if refused is not None:
        return refused
    lang = _lang()
    params = web_request.query(_event())
    arguments, errors = parse_query(params)
    if wants_json(_event()):
        if errors:
            raise _problem(errors)
        entries = audit.find_entries(**arguments)
        return Response(
            status_code=200,
            content_type="application/json",
            body={"count": len(entries), "entries": [entry.to_json() for entry in entries]},
            headers={"Cache-Control": "no-store"},
        )
    if errors:
        return _query_page(lang, params, errors=errors, entries=None, status=400)
    return _query_page(lang, params, errors={}, entries=audit.find_entries(**arguments))


# -- operator: verification


def parse_range(params: Mapping[str, str], head_seq: int) -> tuple[tuple[int, int | None], dict[str, str]]:
    """``(from_seq, to_seq)`` from the form (the newest entries when both are empty) and errors by field."""
    errors: dict[str, str] = {}
    values: dict[str, int | None] = {}
    for name in ("from_seq", "to_seq"):
        text = params.get(name, "").strip()
        if not text:
            values[name] = None
        elif is_ascii_digits(text) and len(text) <= 12 and int(text) >= 1:
            values[name] = int(text)
        else:
            errors[name] = "audit.error.seq"
    first, last = values.get("from_seq"), values.get("to_seq")
    if first is not None and last is not None and last < first:
        errors["to_seq"] = "audit.error.seq_range"
    if first is None:
        first = max(1, (last or head_seq) - VERIFY_DEFAULT_SPAN + 1)
    return (first, last), errors


def _verification_text(lang: str, result: ChainVerification) -> str:
    if result.ok and result.checked == 0:
        return t(lang, "audit.verify.empty")
    if result.ok:
        return t(
            lang,
            "audit.verify.ok",
            from_seq=result.from_seq,
            to_seq=result.to_seq,
            checked=result.checked,
            head=result.head_seq,
        )
    return t(lang, "audit.verify.broken", seq=result.broken_seq, reason=t(lang, f"audit.reason.{result.reason}"))


def _verify_page(
    lang: str,
    params: Mapping[str, str],
    *,
    errors: Mapping[str, str],
    result: ChainVerification | None,
    status: int = 200,
) -> Response[str]:
    shown = {name: t(lang, key) for name, key in errors.items()}
    outcome = ""
    if result is not None:
        kind, role = ("success", "status") if result.ok else ("error", "alert")
        outcome = (
            f'<div class="notice notice--{kind}" role="{role}" id="verification-result">'
            f"<p>{esc(_verification_text(lang, result))}</p></div>"
        )
    body = f"""{error_summary(lang, shown)}{outcome}
<p>{esc(t(lang, "audit.verify.lead"))}</p>
<form class="form" method="get" action="/operator/audit/verify" novalidate>
{
        form_field(
            "from_seq",
            t(lang, "audit.verify.from"),
            required=False,
            inputmode="numeric",
            autocomplete="off",
            value=params.get("from_seq", ""),
            error=shown.get("from_seq"),
            hint=t(lang, "audit.verify.range_hint"),
        )
    }
{
        form_field(
            "to_seq",
            t(lang, "audit.verify.to"),
            required=False,
            inputmode="numeric",
            autocomplete="off",
            value=params.get("to_seq", ""),
            error=shown.get("to_seq"),
        )
    }
{f'<input type="hidden" name="lang" value="{esc(lang)}">' if lang == "en" else ""}
<button class="button" type="submit">{esc(t(lang, "audit.verify.submit"))}</button>
</form>
<p><a href="/operator/audit">{esc(t(lang, "audit.query.title"))}</a></p>"""
    return render_page(lang=lang, title=t(lang, "audit.verify.title"), body=body, status=status)


@router.get(
    "/operator/audit/verify",
    summary="Verify the audit trail's hash chain against its write-once archive (operators; HTML or JSON)",
    tags=["audit"],
)
def handle_get_operator_audit_verify() -> Response[Any]:
    refused = _require_operator()
    if refused is not None:
        return refused
    lang = _lang()
    params = web_request.query(_event())
    (first, last), errors = parse_range(params, audit.head_seq())
    if errors:
        if wants_json(_event()):
            raise _problem(errors)
        return _verify_page(lang, params, errors=errors, result=None, status=400)
    result = audit.verify_chain(first, last)
    if wants_json(_event()):
        return Response(
            status_code=200,
            content_type="application/json",
            body=result.to_json(),
            headers={"Cache-Control": "no-store"},
        )
    return _verify_page(lang, params, errors={}, result=result)
