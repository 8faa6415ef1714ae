"""The message catalogue of the account pages: Japanese first, English second.

Each feature registers its own messages at import (``register_messages({"ja": {...}, "en": {...}})``);
:func:`t` looks a key up in the page's language and fills in ``{name}`` placeholders. A key missing in
English falls back to Japanese, and an unknown key is returned as itself, so a gap is visible on the page
rather than an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

Language = Literal["ja", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("ja", "en")
DEFAULT_LANGUAGE: Final[Language] = "ja"

_CATALOGUE: dict[str, dict[str, str]] = {"ja": {}, "en": {}}


def register_messages(messages: Mapping[str, Mapping[str, str]]) -> None:
    """Add messages for ``ja`` and ``en``. A key registered twice with another text is a programming error."""
    for lang, entries in messages.items():
        if lang not in _CATALOGUE:
            raise ValueError(f"unsupported language {lang!r}")
        known = _CATALOGUE[lang]
        for key, text in entries.items():
            if key in known and known[key] != text:
                raise ValueError(f"message {key!r} ({lang}) is already registered with another text")
            known[key] = text


def t(lang: str, key: str, **params: object) -> str:
    """The message ``key`` in ``lang`` with its ``{placeholders}`` filled (plain text: escape it for HTML)."""
    text = _CATALOGUE.get(lang, {}).get(key) or _CATALOGUE[DEFAULT_LANGUAGE].get(key) or key
    return text.format(**params) if params else text


register_messages(
    {
        "ja": {
            "site.name": "法人デジタルプラットフォーム",
            "site.service": "GビズID",
            "site.skip": "本文へ移動",
            "site.switch": "English",
            "site.nav": "アカウントメニュー",
            "site.footer_note": "GビズIDは法人・個人事業主のための共通認証基盤です。",
            "nav.account": "アカウント",
            "nav.login": "ログイン",
            "nav.signup": "アカウント作成",
            "form.error_summary": "入力内容を確認してください。",
            "form.required": "必須",
            "error.forbidden_title": "この操作は受け付けられません",
            "error.csrf": (
                "フォームの有効期限が切れたか、別の画面から送信されました。"
                "ページを読み込み直してから、もう一度操作してください。"
            ),
            "error.back": "アカウントのトップへ戻る",
        },
        "en": {
            "site.name": "Corporate Digital Platform",
            "site.service": "gBizID",
            "site.skip": "Skip to main content",
            "site.switch": "日本語",
            "site.nav": "Account menu",
            "site.footer_note": "gBizID is the common login for corporations and sole proprietors.",
            "nav.account": "Account",
            "nav.login": "Log in",
            "nav.signup": "Create an account",
            "form.error_summary": "Please check what you entered.",
            "form.required": "required",
            "error.forbidden_title": "This request cannot be accepted",
            "error.csrf": ("The form has expired or was sent from another page. Reload the page and try again."),
            "error.back": "Back to your account",
        },
    }
)
