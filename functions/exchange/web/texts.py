"""What the exchange portal's pages say, in Japanese and English, its chrome, and its labelled form fields."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from platform_common.web_layout import Language, SiteChrome, esc, field_id

CHROME: Final = SiteChrome(
    service={"ja": "法人デジタルプラットフォーム", "en": "Corporate Digital Platform"},
    name={"ja": "法人データ交換基盤", "en": "Corporate data exchange"},
    menu={
        "ja": (
            ("ポータル", "/exchange/portal?lang=ja"),
            ("データ提供への同意", "/exchange/consents?lang=ja"),
            ("メンバー管理", "/exchange/members?lang=ja"),
        ),
        "en": (
            ("Portal", "/exchange/portal?lang=en"),
            ("Consents", "/exchange/consents?lang=en"),
            ("Members", "/exchange/members?lang=en"),
        ),
    },
    footer={
        "ja": "法人のデータを、保有する行政機関から、署名・記録・同意のもとで取得します。",
        "en": "A corporation's data, fetched from the office that holds it: signed, logged and consented.",
    },
)

TEXT: Final[dict[Language, dict[str, str]]] = {
    "ja": {
        "home": "ポータルへ戻る",
        "portal_title": "データ交換ポータル",
        "signed_in": "GビズIDでログインしています。",
        "logout": "ログアウト",
        "you_operator": "データ交換基盤の運用者として、メンバーとサブシステムを管理できます。",
        "you_admin": "{member}の管理者として、サブシステム・鍵・サービス・アクセス権を管理できます。",
        "you_prime": "GビズIDプライムの保有者として、民間サービスへのデータ提供への同意と、"
        "自社データの取得履歴を管理できます。",
        "you_nothing": "このアカウントで管理できるものはありません。"
        "GビズIDプライムまたはメンバーのアカウントでログインしてください。",
        "members_title": "メンバー管理",
        "members_list": "登録済みのメンバー",
        "members_none": "登録済みのメンバーはありません。",
        "col_member": "メンバー",
        "col_class": "区分",
        "col_code": "法人番号",
        "col_name": "名称",
        "col_key": "署名鍵",
        "key_yes": "作成済み",
        "key_no": "なし",
        "register_member": "メンバーを登録",
        "member_class": "区分（GOV：行政機関、COM：企業）",
        "member_code": "法人番号（13桁）",
        "member_name": "名称",
        "register": "登録する",
        "member_registered": "メンバーを登録しました。",
        "member_title": "{name}",
        "subsystems": "サブシステム",
        "subsystems_none": "サブシステムはありません。",
        "col_subsystem": "サブシステム",
        "col_keys": "公開鍵（kid）",
        "add_subsystem": "サブシステムを追加",
        "subsystem_code": "サブシステムコード（英数字）",
        "subsystem_name": "名称",
        "add": "追加する",
        "subsystem_saved": "サブシステムを保存しました。",
        "keys": "リクエスト署名の公開鍵",
        "keys_hint": "JWK Set（JSON）。EC P-256の公開鍵、kid付き、5個まで。",
        "keys_none": "公開鍵は登録されていません。",
        "save_keys": "公開鍵を置き換える",
        "keys_saved": "公開鍵を置き換えました。古い鍵で署名したリクエストは拒否されます。",
        "services": "提供するサービス",
        "services_none": "サービスはありません。",
        "col_service": "サービスコード",
        "col_title": "名称",
        "col_public": "公開",
        "col_endpoint": "接続先",
        "public_yes": "公開（同意不要）",
        "public_no": "非公開（民間は同意が必要）",
        "save_service": "サービスを追加・更新",
        "service_code": "サービスコード",
        "service_title": "名称",
        "service_openapi": "OpenAPI 3 記述（JSONまたはYAML）",
        "service_endpoint": "接続先（内部サービス名またはhttps URL）",
        "service_public": "公開データ（民間クライアントにも同意不要）",
        "save": "保存する",
        "service_saved": "サービスを保存しました。",
        "rights": "付与したアクセス権",
        "rights_none": "付与したアクセス権はありません。",
        "col_client": "クライアント",
        "col_granted": "付与日時",
        "col_action": "操作",
        "grant_right": "アクセス権を付与",
        "right_service": "サービス",
        "right_client": "クライアントのサブシステム（INSTANCE/CLASS/CODE/SUBSYSTEM）",
        "grant": "付与する",
        "revoke": "取り消す",
        "revoke_right_label": "{client}の{service}へのアクセス権を取り消す",
        "right_granted": "アクセス権を付与しました。",
        "right_revoked": "アクセス権を取り消しました。次のリクエストから拒否されます。",
        "consents_title": "データ提供への同意",
        "consents_intro": "民間のサービスが、行政機関の保有する貴社の非公開データ（登記事項・納税状況など）を"
        "取得するには、"
        "GビズIDプライムの保有者の同意が必要です。同意はいつでも取り消すことができ、取り消しは直ちに反映されます。",
        "consents_list": "同意の一覧",
        "consents_none": "同意はありません。",
        "col_purpose": "目的",
        "col_services": "データ",
        "col_expires": "有効期限",
        "col_state": "状態",
        "state_active": "有効",
        "state_revoked": "取消済み（{at}）",
        "state_expired": "期限切れ",
        "grant_consent": "同意する",
        "consent_client": "提供先（民間クライアントのサブシステム）",
        "consent_purpose": "利用目的",
        "consent_purpose_hint": "200文字以内。例：補助金申請の添付書類の取得",
        "consent_services": "提供するデータ",
        "consent_expires": "有効期限（最終日、1年以内）",
        "consent_granted": "同意しました。",
        "revoke_consent_label": "{client}への同意（{purpose}）を取り消す",
        "consent_revoked": "同意を取り消しました。提供先の次のリクエストから拒否されます。",
        "history": "データの取得履歴",
        "history_none": "取得された記録はありません。",
        "col_at": "日時",
        "col_message": "メッセージID",
        "prime_only": "同意の管理は、法人のGビズIDプライムの保有者のみが行えます。",
        "forbidden_title": "権限がありません",
        "not_found_title": "見つかりません",
        "not_found": "お探しのページは見つかりません。",
        "signed_out_title": "ログアウトしました",
        "signed_out": "データ交換ポータルからログアウトしました。",
        "sign_in_failed_title": "ログインできませんでした",
        "sign_in_failed": "ログインの手続きを確認できませんでした。もう一度ログインしてください。",
        "unavailable_title": "ただいま利用できません",
        "unavailable": "ログインサービスに接続できません。しばらくしてからもう一度お試しください。",
        "sign_in": "GビズIDでログイン",
    },
    "en": {
        "home": "Back to the portal",
        "portal_title": "Data exchange portal",
        "signed_in": "You are signed in with gBizID.",
        "logout": "Sign out",
        "you_operator": "As an operator of the exchange you manage members and subsystems.",
        "you_admin": "As an administrator of {member} you manage its subsystems, keys, services and access rights.",
        "you_prime": "As the gBizID Prime holder you manage consents to private services and see who fetched "
        "your corporation's data.",
        "you_nothing": "There is nothing this account can manage. Sign in with a gBizID Prime or Member account.",
        "members_title": "Members",
        "members_list": "Registered members",
        "members_none": "No members are registered.",
        "col_member": "Member",
        "col_class": "Class",
        "col_code": "Corporate number",
        "col_name": "Name",
        "col_key": "Signing key",
        "key_yes": "Created",
        "key_no": "None",
        "register_member": "Register a member",
        "member_class": "Class (GOV: government, COM: company)",
        "member_code": "Corporate number (13 digits)",
        "member_name": "Name",
        "register": "Register",
        "member_registered": "The member was registered.",
        "member_title": "{name}",
        "subsystems": "Subsystems",
        "subsystems_none": "No subsystems.",
        "col_subsystem": "Subsystem",
        "col_keys": "Public keys (kid)",
        "add_subsystem": "Add a subsystem",
        "subsystem_code": "Subsystem code (letters and digits)",
        "subsystem_name": "Name",
        "add": "Add",
        "subsystem_saved": "The subsystem was saved.",
        "keys": "Public keys for request signatures",
        "keys_hint": "A JWK Set (JSON): EC P-256 public keys with a kid, at most 5.",
        "keys_none": "No public keys are registered.",
        "save_keys": "Replace the public keys",
        "keys_saved": "The public keys were replaced. Requests signed with an old key are refused.",
        "services": "Services provided",
        "services_none": "No services.",
        "col_service": "Service code",
        "col_title": "Title",
        "col_public": "Public",
        "col_endpoint": "Endpoint",
        "public_yes": "Public (no consent needed)",
        "public_no": "Not public (private clients need consent)",
        "save_service": "Add or update a service",
        "service_code": "Service code",
        "service_title": "Title",
        "service_openapi": "OpenAPI 3 description (JSON or YAML)",
        "service_endpoint": "Endpoint (an internal service name or an https URL)",
        "service_public": "Open data (private clients need no consent)",
        "save": "Save",
        "service_saved": "The service was saved.",
        "rights": "Access rights granted",
        "rights_none": "No access rights granted.",
        "col_client": "Client",
        "col_granted": "Granted",
        "col_action": "Action",
        "grant_right": "Grant an access right",
        "right_service": "Service",
        "right_client": "Client subsystem (INSTANCE/CLASS/CODE/SUBSYSTEM)",
        "grant": "Grant",
        "revoke": "Revoke",
        "revoke_right_label": "Revoke the right of {client} to {service}",
        "right_granted": "The access right was granted.",
        "right_revoked": "The access right was revoked. The client's next request is refused.",
        "consents_title": "Consents to share your data",
        "consents_intro": "A private service may fetch your corporation's non-public data held by government offices "
        "(registered matters, tax payment status, ...) only with the consent of its gBizID Prime holder. You can "
        "revoke a consent at any time; it takes effect at once.",
        "consents_list": "Your consents",
        "consents_none": "No consents.",
        "col_purpose": "Purpose",
        "col_services": "Data",
        "col_expires": "Expires",
        "col_state": "State",
        "state_active": "Active",
        "state_revoked": "Revoked ({at})",
        "state_expired": "Expired",
        "grant_consent": "Give consent",
        "consent_client": "Recipient (a private-sector client subsystem)",
        "consent_purpose": "Purpose",
        "consent_purpose_hint": "Up to 200 characters, e.g. attachments for a subsidy application",
        "consent_services": "Data to share",
        "consent_expires": "Valid until (last day, within one year)",
        "consent_granted": "Your consent was recorded.",
        "revoke_consent_label": "Revoke the consent to {client} ({purpose})",
        "consent_revoked": "The consent was revoked. The recipient's next request is refused.",
        "history": "Who fetched your data",
        "history_none": "No data has been fetched.",
        "col_at": "When",
        "col_message": "Message id",
        "prime_only": "Only the corporation's gBizID Prime holder manages consents.",
        "forbidden_title": "Not allowed",
        "not_found_title": "Not found",
        "not_found": "The page you are looking for does not exist.",
        "signed_out_title": "Signed out",
        "signed_out": "You signed out of the data exchange portal.",
        "sign_in_failed_title": "Sign-in failed",
        "sign_in_failed": "The sign-in could not be verified. Please sign in again.",
        "unavailable_title": "Temporarily unavailable",
        "unavailable": "The sign-in service cannot be reached. Please try again later.",
        "sign_in": "Sign in with gBizID",
    },
}


def t(lang: Language, key: str, **values: object) -> str:
    text = TEXT[lang][key]
    return text.format(**values) if values else text


def _wrap(name: str, label: str, control: str, error: str | None, hint: str | None) -> str:
    ident = field_id(name)
    parts = [f'<div class="form-field{" form-field--error" if error else ""}">']
    parts.append(f'<label class="form-field__label" for="{ident}">{esc(label)}</label>')
    if hint:
        parts.append(f'<p class="form-field__hint" id="{ident}-hint">{esc(hint)}</p>')
    if error:
        parts.append(f'<p class="form-field__error" id="{ident}-error">{esc(error)}</p>')
    parts.append(control)
    parts.append("</div>")
    return "".join(parts)


def _aria(name: str, error: str | None, hint: str | None) -> str:
    ident = field_id(name)
    described = [f"{ident}-hint"] if hint else []
    if error:
        described.append(f"{ident}-error")
    found = f' aria-describedby="{" ".join(described)}"' if described else ""
    return found + (' aria-invalid="true"' if error else "")


def text_input(
    name: str, label: str, *, value: str = "", error: str | None = None, hint: str | None = None, extra: str = ""
) -> str:
    control = (
        f'<input class="form-field__input" id="{field_id(name)}" name="{esc(name)}" type="text" '
        f'value="{esc(value)}"{_aria(name, error, hint)} {extra}>'
    )
    return _wrap(name, label, control, error, hint)


def date_input(name: str, label: str, *, value: str = "", error: str | None = None) -> str:
    control = (
        f'<input class="form-field__input" id="{field_id(name)}" name="{esc(name)}" type="date" '
        f'value="{esc(value)}"{_aria(name, error, None)} required>'
    )
    return _wrap(name, label, control, error, None)


def textarea(name: str, label: str, *, value: str = "", error: str | None = None, hint: str | None = None) -> str:
    control = (
        f'<textarea class="form-field__input" id="{field_id(name)}" name="{esc(name)}" rows="8" '
        f'spellcheck="false"{_aria(name, error, hint)}>{esc(value)}</textarea>'
    )
    return _wrap(name, label, control, error, hint)


def select(
    name: str, label: str, options: Sequence[tuple[str, str]], *, value: str = "", error: str | None = None
) -> str:
    items = "".join(
        f'<option value="{esc(code)}"{" selected" if code == value else ""}>{esc(text)}</option>'
        for code, text in options
    )
    control = (
        f'<select class="form-field__input" id="{field_id(name)}" name="{esc(name)}"'
        f"{_aria(name, error, None)}>{items}</select>"
    )
    return _wrap(name, label, control, error, None)


def checkboxes(
    name: str, legend: str, options: Sequence[tuple[str, str]], *, checked: Sequence[str] = (), error: str | None = None
) -> str:
    """A fieldset of checkboxes (each with its own label); the legend names the group."""
    ident = field_id(name)
    boxes = "".join(
        f'<div class="form-check"><input type="checkbox" id="{ident}-{index}" name="{esc(name)}" value="{esc(code)}"'
        f"{' checked' if code in checked else ''}>"
        f'<label for="{ident}-{index}">{esc(text)}</label></div>'
        for index, (code, text) in enumerate(options)
    )
    error_html = f'<p class="form-field__error" id="{ident}-error">{esc(error)}</p>' if error else ""
    return (
        f'<fieldset class="form-field{" form-field--error" if error else ""}" id="{ident}">'
        f'<legend class="form-field__label">{esc(legend)}</legend>{error_html}{boxes}</fieldset>'
    )
