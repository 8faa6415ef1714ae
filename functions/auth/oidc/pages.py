"""The OpenID Provider's pages: consent, the tier gate, errors and sign-out (Japanese first, English)."""

from __future__ import annotations

from collections.abc import Sequence

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.shared.cookies import Cookie

from functions.auth.oidc.claims import ACCOUNT_TYPE_NAMES
from functions.auth.web.layout import csrf_input, esc, render_page
from functions.auth.web.messages import register_messages, t
from functions.auth.web.session import BrowserSession

register_messages(
    {
        "ja": {
            "oidc.consent.title": "情報提供の同意",
            "oidc.consent.lead": "「{client}」があなたの GビズID の次の情報を受け取ります。",
            "oidc.consent.allow": "同意して続ける",
            "oidc.consent.deny": "同意しない",
            "oidc.consent.remember": "同意は記録され、同じ内容なら次回は確認しません。",
            "oidc.tier.title": "このアカウントでは利用できません",
            "oidc.tier.lead": "「{client}」の手続には {needed} のアカウントが必要です。",
            "oidc.tier.yours": "いまのアカウント: {yours}",
            "oidc.tier.how": "gBizIDプライムは、法人の代表者または個人事業主が申請できます (オンラインなら即日発行)。"
            "gBizIDメンバーは、所属する法人のプライム保有者が発行します。",
            "oidc.tier.apply": "gBizIDプライムを申請する",
            "oidc.tier.staff": "職員用アカウント",
            "oidc.error.title": "ログインを続けられません",
            "oidc.error.lead": "利用システムからの要求に誤りがあるため、利用システムへ戻ることができません。",
            "oidc.error.detail": "理由: {detail}",
            "oidc.error.expired": "ログインの要求の有効期限が切れました。利用システムからもう一度やり直してください。",
            "oidc.logout.title": "ログアウト",
            "oidc.logout.done": "ログアウトしました。",
            "oidc.logout.confirm": "GビズIDからログアウトしますか。",
            "oidc.logout.button": "ログアウトする",
        },
        "en": {
            "oidc.consent.title": "Share your information",
            "oidc.consent.lead": "“{client}” will receive the following from your gBizID.",
            "oidc.consent.allow": "Agree and continue",
            "oidc.consent.deny": "Do not agree",
            "oidc.consent.remember": "Your consent is remembered; you will not be asked again for the same.",
            "oidc.tier.title": "This account cannot be used here",
            "oidc.tier.lead": "The procedures of “{client}” need a {needed} account.",
            "oidc.tier.yours": "Your account: {yours}",
            "oidc.tier.how": "A gBizID Prime account is for the representative of a corporation or a sole proprietor "
            "(issued the same day online). A gBizID Member account is issued by your corporation's Prime holder.",
            "oidc.tier.apply": "Apply for gBizID Prime",
            "oidc.tier.staff": "a staff account",
            "oidc.error.title": "The sign-in cannot continue",
            "oidc.error.lead": "The request from the service is not valid, so you cannot be sent back to it.",
            "oidc.error.detail": "Reason: {detail}",
            "oidc.error.expired": "The sign-in request has expired. Start again from the service.",
            "oidc.logout.title": "Sign out",
            "oidc.logout.done": "You are signed out.",
            "oidc.logout.confirm": "Sign out of gBizID?",
            "oidc.logout.button": "Sign out",
        },
    }
)


def client_name(lang: str, name_ja: str, name_en: str) -> str:
    return name_en if lang == "en" and name_en else name_ja


def consent_page(
    *, lang: str, session: BrowserSession, request_id: str, client: str, lines: Sequence[str]
) -> Response[str]:
    items = "".join(f"<li>{esc(line)}</li>" for line in lines)
    body = (
        f"<p>{esc(t(lang, 'oidc.consent.lead', client=client))}</p>"
        f'<ul class="consent-list">{items}</ul>'
        f"<p>{esc(t(lang, 'oidc.consent.remember'))}</p>"
        '<form method="post" action="/oauth/authorize">'
        f"{csrf_input(session)}"
        f'<input type="hidden" name="request_id" value="{esc(request_id)}">'
        f'<button class="button" type="submit" name="decision" value="allow">{esc(t(lang, "oidc.consent.allow"))}'
        "</button> "
        f'<button class="button button--secondary" type="submit" name="decision" value="deny">'
        f"{esc(t(lang, 'oidc.consent.deny'))}</button>"
        "</form>"
    )
    return render_page(lang=lang, title=t(lang, "oidc.consent.title"), body=body)


def tier_refused_page(*, lang: str, client: str, allowed: Sequence[str], yours: str | None) -> Response[str]:
    needed = " / ".join(ACCOUNT_TYPE_NAMES[code][lang] for code in allowed if code in ACCOUNT_TYPE_NAMES)
    your_name = ACCOUNT_TYPE_NAMES[yours][lang] if yours in ACCOUNT_TYPE_NAMES else t(lang, "oidc.tier.staff")
    body = (
        f'<p role="alert">{esc(t(lang, "oidc.tier.lead", client=client, needed=needed))}</p>'
        f"<p>{esc(t(lang, 'oidc.tier.yours', yours=your_name))}</p>"
        f"<p>{esc(t(lang, 'oidc.tier.how'))}</p>"
        f'<p><a class="button" href="/account/prime">{esc(t(lang, "oidc.tier.apply"))}</a></p>'
    )
    return render_page(lang=lang, title=t(lang, "oidc.tier.title"), body=body, status=403)


def error_page(*, lang: str, detail: str, status: int = 400) -> Response[str]:
    body = (
        f'<p role="alert">{esc(t(lang, "oidc.error.lead"))}</p>'
        f"<p>{esc(t(lang, 'oidc.error.detail', detail=detail))}</p>"
    )
    return render_page(lang=lang, title=t(lang, "oidc.error.title"), body=body, status=status)


def expired_page(*, lang: str) -> Response[str]:
    body = f'<p role="alert">{esc(t(lang, "oidc.error.expired"))}</p>'
    return render_page(lang=lang, title=t(lang, "oidc.error.title"), body=body, status=400)


def signed_out_page(*, lang: str, cookies: Sequence[Cookie]) -> Response[str]:
    body = f'<p role="status">{esc(t(lang, "oidc.logout.done"))}</p>'
    return render_page(lang=lang, title=t(lang, "oidc.logout.title"), body=body, cookies=cookies)


def logout_confirm_page(*, lang: str, session: BrowserSession, hidden: dict[str, str]) -> Response[str]:
    fields = "".join(
        f'<input type="hidden" name="{esc(name)}" value="{esc(value)}">' for name, value in hidden.items() if value
    )
    body = (
        f"<p>{esc(t(lang, 'oidc.logout.confirm'))}</p>"
        f'<form method="post" action="/oauth/logout">{csrf_input(session)}{fields}'
        f'<button class="button" type="submit">{esc(t(lang, "oidc.logout.button"))}</button></form>'
    )
    return render_page(lang=lang, title=t(lang, "oidc.logout.title"), body=body)
