"""Shared pieces of the Prime, member and mandate pages: the body, errors in the page's language, tables."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from aws_lambda_powertools.event_handler import Response

from functions.auth.audit import request_origin
from functions.auth.prime.models import RequestOrigin
from functions.auth.web.layout import esc, render_page
from functions.auth.web.messages import register_messages, t
from functions.auth.web.request import header, raw_event
from platform_common.errors import DomainError, InvalidInput

# Japanese for the messages the logic raises (English is the logic's own text).
_ERRORS_JA: dict[str, str] = {
    "the form must be sent as multipart/form-data": "フォームは multipart/form-data で送信してください。",
    "the form body is not valid multipart/form-data": "フォームの内容を読み取れません。",
    "the file is larger than 5 MB": "ファイルが5MBを超えています。",
    "attach the seal certificate (PDF, JPEG or PNG)": "印鑑証明書 (PDF・JPEG・PNG) を添付してください。",
    "the file must be a PDF, JPEG or PNG": "ファイルはPDF・JPEG・PNGのいずれかにしてください。",
    "a corporate number is 13 ASCII digits": "法人番号は13桁の数字です。",
    "the check digit does not match": "法人番号のチェックデジットが一致しません。入力を確認してください。",
    "no corporation with this number is in the basic information of the open data": (
        "この法人番号の法人は法人基本情報に見つかりません。"
    ),
    "the name differs from the registered name of this number": "法人名が法人番号の登録情報と一致しません。",
    "the address differs from the registered head office of this number": (
        "本店所在地が法人番号の登録情報と一致しません。"
    ),
    "write the reading in katakana": "フリガナはカタカナで入力してください。",
    "this deployment accepts no electronic signatures": "この環境では電子署名による申請を受け付けていません。",
    "the signed application is not a compact JWS": "署名付き申請データの形式が正しくありません。",
    "the signature algorithm must be RS256 or ES256": "署名アルゴリズムは RS256 か ES256 にしてください。",
    "the signature carries no certificate chain (x5c)": "署名に証明書 (x5c) が含まれていません。",
    "a certificate in the chain cannot be read": "証明書を読み取れません。",
    "the signer's certificate is not valid at this time": "署名者の証明書は有効期間外です。",
    "the certificate does not chain to a trusted authority": "証明書が信頼できる認証局から発行されていません。",
    "the certificate is not for digital signatures": "この証明書は電子署名用ではありません。",
    "the certificate's key is neither EC nor RSA": "証明書の鍵の種類に対応していません。",
    "the signature does not match the signed data": "署名が署名対象のデータと一致しません。",
    "the signed data is not a JSON application": "署名対象のデータが申請データではありません。",
    "the signed application differs from the submitted one": "署名された申請内容が入力内容と一致しません。",
    "the certificate is not the representative's": "証明書の名義が代表者名と一致しません。",
    "give the reason for the rejection; the applicant is told it": (
        "却下の理由を入力してください (申請者に通知されます)。"
    ),
    "enter an e-mail address such as name@example.co.jp": (
        "メールアドレスを name@example.co.jp の形で入力してください。"
    ),
    "this address has a gBizID account already; a member needs an address of its own": (
        "このメールアドレスは既にGビズIDで使われています。メンバーには別のアドレスが必要です。"
    ),
    "choose or enter at least one procedure": "手続を1つ以上選ぶか入力してください。",
    "enter a date as YYYY-MM-DD": "日付を YYYY-MM-DD の形で入力してください。",
    "the date has passed": "過去の日付は指定できません。",
    "a mandate lasts at most one year": "委任の期限は1年以内にしてください。",
    "no gBizID account uses this e-mail address": "このメールアドレスのGビズIDアカウントはありません。",
    "a mandate is granted to another account, not your own": "委任先には自分以外のアカウントを指定してください。",
    "use 12 or more characters with upper and lower case letters, a digit and a symbol": (
        "12文字以上で、英大文字・英小文字・数字・記号をそれぞれ含めてください。"
    ),
    "the passwords differ": "パスワードが一致しません。",
}

register_messages(
    {
        "ja": {f"err.{english}": japanese for english, japanese in _ERRORS_JA.items()},
        "en": {f"err.{english}": english for english in _ERRORS_JA},
    }
)


def translate(lang: str, message: str) -> str:
    """A logic message in the page's language (unknown messages as they are)."""
    key = f"err.{message}"
    text = t(lang, key)
    return message if text == key else text


def field_errors(lang: str, error: InvalidInput) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in error.errors:
        found.setdefault(item.item, translate(lang, item.message))
    return found or {"form": translate(lang, error.detail)}


def body_bytes(event: Any) -> bytes:
    raw = raw_event(event)
    body = raw.get("body") or ""
    return base64.b64decode(body) if raw.get("isBase64Encoded") else str(body).encode("utf-8")


def content_type(event: Any) -> str | None:
    return header(event, "content-type")


def origin_of(event: Any) -> RequestOrigin:
    found = request_origin(event)
    return RequestOrigin(source_ip=found.get("source_ip"), user_agent=found.get("user_agent"))


def message_page(lang: str, error: DomainError, *, title_key: str = "pm.error.title") -> Response[str]:
    """A refused action as a page: the reason, and the way back."""
    body = (
        f'<p class="notice notice--error" role="alert">{esc(translate(lang, error.detail))}</p>'
        f'<p><a href="/account">{esc(t(lang, "error.back"))}</a></p>'
    )
    return render_page(lang=lang, title=t(lang, title_key), body=body, status=int(error.status))


def textarea(name: str, label: str, value: str, error: str | None, *, rows: int = 4, hint: str | None = None) -> str:
    field_id = f"field-{name}"
    described = []
    hint_html = error_html = ""
    if hint:
        hint_html = f'<p class="form-field__hint" id="{field_id}-hint">{esc(hint)}</p>'
        described.append(f"{field_id}-hint")
    if error:
        error_html = f'<p class="form-field__error" id="{field_id}-error">{esc(error)}</p>'
        described.append(f"{field_id}-error")
    aria = f' aria-describedby="{" ".join(described)}"' if described else ""
    invalid = ' aria-invalid="true"' if error else ""
    return (
        f'<div class="form-field{" form-field--error" if error else ""}">'
        f'<label class="form-field__label" for="{field_id}">{esc(label)}</label>{hint_html}{error_html}'
        f'<textarea class="form-field__input" id="{field_id}" name="{esc(name)}" rows="{rows}"{aria}{invalid}>'
        f"{esc(value)}</textarea></div>"
    )


def table(caption: str, headers: Sequence[str], rows: Iterable[Sequence[str]], empty: str) -> str:
    """A data table; cells are HTML already (escape text before passing it)."""
    body_rows = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    if not body_rows:
        return f"<p>{esc(empty)}</p>"
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    return (
        f'<div class="table-wrap" role="region" aria-label="{esc(caption)}" tabindex="0">'
        f'<table class="data-table"><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{body_rows}</tbody></table></div>"
    )


def first_values(form: Mapping[str, str]) -> dict[str, str]:
    return {name: value for name, value in form.items() if isinstance(value, str)}


register_messages(
    {
        "ja": {"pm.error.title": "この操作はできません"},
        "en": {"pm.error.title": "This cannot be done"},
    }
)


def form_values(event: Any, name: str) -> list[str]:
    """Every value of one field of a url-encoded form (checkboxes repeat their name)."""
    from urllib.parse import parse_qs

    data = body_bytes(event)
    if len(data) > 64 * 1024:
        return []
    parsed = parse_qs(data.decode("utf-8", errors="replace"), keep_blank_values=False, max_num_fields=200)
    return parsed.get(name, [])
