"""Demo subsidies of the demo ministry's jGrants catalogue, and its staff.

Ids (``a0W5h00000demo0NN``) and subsidy numbers (``S-9900000N``) are fictional; titles follow real programmes
so the catalogue looks familiar. Acceptance windows are set relative to today, so some subsidies are always
open, some upcoming and some closed. Each has an application form whose company fields come from the login
and gBizINFO (``x-prefill``) while the applicant types only the project, the attachments it asks for, and the
gBizID tier it needs. The ministry's demo jGrants operator and reviewer (Members of the ministry's own
corporation in :mod:`devstack.seed_identity`) are made staff of the demo ministry.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any, Final

from devstack.naming import DEMO_MINISTRY
from devstack.provision import ProvisionedStack
from devstack.seed_exchange import MOJ_REGISTRY
from functions.auth.dal import AccountsStore, RelyingPartyItem
from functions.auth.logic.clients import hash_client_secret, new_client_secret
from functions.submit.dal import SubsidyStore
from functions.submit.models import AttachmentRequirement, MinimumTier, Subsidy
from functions.submit.staff import StaffMember
from infra.resource_specs import ResourceRef
from platform_common import aws

# Members of the ministry's own corporation (devstack.seed_identity): gBizID's staff-only accounts carry no
# account type, so the OP admits them to no relying party, the jGrants pages included.
DEMO_STAFF: Final = (
    ("jgrants-operator@meti.example.jp", "operator", "デモ省 補助金担当（運用）"),
    ("jgrants-reviewer@meti.example.jp", "reviewer", "デモ省 審査担当"),
)

JST_OFFSET = timedelta(hours=9)

# (suffix, title, catch phrase, use purpose, industry, area, employees, rate, max limit,
#  acceptance start and end in days from today, created days before today)
_DEMO: tuple[tuple[str, str, str, str, str, str, str, str, int, int, int, int], ...] = (
    ("001", "ものづくり・商業・サービス生産性向上促進補助金（デモ第20次）",
     "革新的な製品・サービス開発や生産プロセス改善のための設備投資を支援します",
     "設備整備・IT導入をしたい", "製造業 / 卸売業，小売業 / サービス業（他に分類されないもの）",
     "全国", "従業員数の制約なし", "1/2（小規模・再生事業者は2/3）", 12_500_000, -20, 40, 30),
    ("002", "IT導入補助金（デモ通常枠）",
     "業務効率化・売上アップのためのITツール導入を支援します",
     "設備整備・IT導入をしたい / 販路拡大・海外展開をしたい",
     "製造業 / 卸売業，小売業 / 宿泊業，飲食サービス業",
     "全国", "300名以下", "1/2以内", 4_500_000, -10, 20, 15),
    ("003", "事業再構築補助金（デモ成長分野進出枠）",
     "新分野展開や業態転換など思い切った事業再構築に挑戦する中小企業を支援します",
     "新たな事業を行いたい", "製造業 / 建設業 / 情報通信業", "全国", "従業員数の制約なし",
     "1/2（大規模な賃上げを行う場合2/3）", 70_000_000, -60, -5, 90),
    ("004", "小規模事業者持続化補助金（デモ一般型）",
     "小規模事業者の販路開拓と生産性向上の取組を支援します",
     "販路拡大・海外展開をしたい", "卸売業，小売業 / 宿泊業，飲食サービス業 / 生活関連サービス業，娯楽業",
     "全国", "20名以下", "2/3", 500_000, -5, 55, 10),
    ("005", "中小企業省力化投資補助金（デモカタログ型）",
     "人手不足に悩む中小企業のIoT・ロボット等の導入を支援します",
     "設備整備・IT導入をしたい", "製造業 / 運輸業，郵便業 / 宿泊業，飲食サービス業", "全国", "100名以下",
     "1/2", 15_000_000, 14, 74, 3),
    ("006", "事業承継・引継ぎ補助金（デモ経営革新枠）",
     "事業承継を契機とした新たな取組や経営資源の引継ぎを支援します",
     "事業を引き継ぎたい", "製造業 / 卸売業，小売業 / 建設業", "全国", "従業員数の制約なし",
     "1/2〜2/3", 8_000_000, -30, 30, 45),
    ("007", "成長型中小企業等研究開発支援事業（デモGo-Tech事業）",
     "大学・公設試等と連携した研究開発と販路開拓を支援します",
     "研究開発・実証事業を行いたい", "製造業 / 学術研究，専門・技術サービス業", "全国", "300名以下",
     "2/3以内", 45_000_000, -90, -30, 120),
    ("008", "東京都 DX推進支援事業助成金（デモ）",
     "都内中小企業のデジタル技術導入による生産性向上を支援します",
     "設備整備・IT導入をしたい", "製造業 / 情報通信業 / 卸売業，小売業", "東京都", "300名以下",
     "1/2以内", 3_000_000, -3, 27, 7),
    ("009", "大阪府 ものづくり販路開拓支援補助金（デモ）",
     "府内の製造業者による展示会出展や海外販路開拓を支援します",
     "販路拡大・海外展開をしたい", "製造業", "大阪府", "50名以下", "1/2以内", 1_000_000, 30, 60, 2),
    ("010", "北海道 省エネルギー設備導入支援補助金（デモ）",
     "道内事業者の高効率設備への更新による省エネルギーを支援します",
     "エコ・SDGs活動支援がほしい / 設備整備・IT導入をしたい", "製造業 / 農業，林業 / 宿泊業，飲食サービス業",
     "北海道", "従業員数の制約なし", "1/3以内", 20_000_000, -15, 45, 20),
    ("011", "福岡県 創業支援補助金（デモ）",
     "県内で新たに創業する方の初期費用を支援します",
     "新たな事業を行いたい", "情報通信業 / 卸売業，小売業 / 生活関連サービス業，娯楽業", "福岡県", "5名以下",
     "1/2以内", 2_000_000, -45, -15, 60),
    ("012", "愛知県 次世代自動車部品研究開発補助金（デモ）",
     "次世代自動車向け部品の研究開発・試作を支援します",
     "研究開発・実証事業を行いたい", "製造業", "愛知県 / 岐阜県 / 三重県", "900名以下", "1/2以内",
     30_000_000, -7, 83, 8),
)  # fmt: skip


# -- the application forms ----------------------------------------------------------------------------------

# What the government already holds: from the login's claims (userinfo) and gBizINFO's record.
_COMPANY: Final[dict[str, Any]] = {
    "corporate_number": {"type": "string", "title": "法人番号", "pattern": "^[0-9]{13}$",
                         "x-prefill": "userinfo:corporate_number"},
    "corporate_name": {"type": "string", "title": "法人名", "maxLength": 150, "x-prefill": "gbizinfo:name"},
    "location": {"type": "string", "title": "本店所在地", "maxLength": 300, "x-prefill": "gbizinfo:location"},
    "representative_name": {"type": "string", "title": "代表者名", "maxLength": 100,
                            "x-prefill": "gbizinfo:representative_name"},
    "capital_stock": {"type": "integer", "title": "資本金（円）", "minimum": 0, "x-prefill": "gbizinfo:capital_stock"},
    "employee_number": {"type": "integer", "title": "従業員数", "minimum": 0, "x-prefill": "gbizinfo:employee_number"},
    "contact_name": {"type": "string", "title": "担当者名", "maxLength": 100, "x-prefill": "userinfo:user_name"},
    "contact_email": {"type": "string", "title": "担当者メールアドレス", "format": "email", "maxLength": 254,
                      "x-prefill": "userinfo:email"},
}  # fmt: skip
_COMPANY_REQUIRED: Final = ["corporate_number", "corporate_name", "location", "representative_name", "employee_number"]

# What only the applicant knows: the project.
_PROJECT: Final[dict[str, Any]] = {
    "project_title": {"type": "string", "title": "事業計画名", "minLength": 1, "maxLength": 100},
    "project_summary": {"type": "string", "title": "事業の概要", "minLength": 1, "maxLength": 2000},
    "project_start": {"type": "string", "title": "事業開始予定日", "format": "date"},
    "project_end": {"type": "string", "title": "事業完了予定日", "format": "date"},
    "total_cost": {"type": "integer", "title": "補助対象経費（円）", "minimum": 1},
}  # fmt: skip
_PROJECT_REQUIRED: Final = ["project_title", "project_summary", "project_start", "project_end", "total_cost"]

# Extra project fields of some programmes (appended to the form of the subsidies named below).
# The commercial registry through the data exchange (issue 6): the ministry's jGrants fetches them as a GOV client
REGISTERED_MATTERS: Final = f"{MOJ_REGISTRY}/registered-matters"
_REGISTRY_FIELDS: Final[dict[str, dict[str, Any]]] = {
    "001": {
        "registered_capital": {"type": "integer", "title": "資本金（登記事項、円）", "minimum": 0,
                               "x-prefill": f"exchange:{REGISTERED_MATTERS}:capital_yen"},
        "established_on": {"type": "string", "title": "設立年月日（登記事項）", "format": "date",
                           "x-prefill": f"exchange:{REGISTERED_MATTERS}:established_on"},
    },
}  # fmt: skip

_EXTRA_FIELDS: Final[dict[str, dict[str, Any]]] = {
    "001": {"equipment": {"type": "string", "title": "導入する設備", "minLength": 1, "maxLength": 500}},
    "002": {"it_tool": {"type": "string", "title": "導入するITツール名", "minLength": 1, "maxLength": 200}},
    "003": {"new_field": {"type": "string", "title": "進出する成長分野", "minLength": 1, "maxLength": 200}},
    "007": {"partner_institution": {"type": "string", "title": "連携する大学・公設試験研究機関", "minLength": 1}},
    "012": {"prototype_parts": {"type": "string", "title": "試作する部品", "minLength": 1, "maxLength": 300}},
}


def demo_form_schema(suffix: str, title: str, max_limit: int) -> dict[str, Any]:
    """The form of one demo subsidy: prefilled company fields, typed project fields, the amount asked for."""
    extra = _EXTRA_FIELDS.get(suffix, {})
    project = {
        **_PROJECT,
        **extra,
        "requested_amount": {
            "type": "integer",
            "title": "補助金申請額（円）",
            "minimum": 1,
            "maximum": max_limit,
            "x-amount": True,  # the requested amount: screening and the approval check it
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{title} 申請書",
        "type": "object",
        "properties": {
            "company": {"type": "object", "title": "申請者（法人）情報",
                        "properties": {**_COMPANY, **_REGISTRY_FIELDS.get(suffix, {})},
                        "required": _COMPANY_REQUIRED},
            "project": {"type": "object", "title": "事業計画", "properties": project,
                        "required": [*_PROJECT_REQUIRED, *extra, "requested_amount"]},
        },
        "required": ["company", "project"],
    }  # fmt: skip


_PLAN = AttachmentRequirement(
    code="business_plan", label="事業計画書", label_en="Business plan", formats=["pdf", "docx"]
)
_QUOTE = AttachmentRequirement(code="quotation", label="見積書", label_en="Quotation", formats=["pdf", "xlsx"])
_TAX = AttachmentRequirement(
    code="tax_certificate", label="納税証明書（その1）", label_en="Tax payment certificate", formats=["pdf"]
)
_FINANCE = AttachmentRequirement(
    code="financial_statements", label="直近2期分の決算書", label_en="Financial statements", formats=["pdf", "xlsx"]
)
# The data exchange (issue 6) supplies the registry extract instead of a scanned paper copy.
_REGISTRY = AttachmentRequirement(
    code="registry_certificate",
    label="履歴事項全部証明書（登記事項証明書）",
    label_en="Certificate of registered matters",
    formats=["pdf"],
    exchange_service=REGISTERED_MATTERS,
)
# suffix -> (minimum tier, attachments); Prime for the large programmes, as jGrants asks for them
_REQUIREMENTS: Final[dict[str, tuple[MinimumTier, tuple[AttachmentRequirement, ...]]]] = {
    "001": ("prime", (_PLAN, _QUOTE, _FINANCE, _REGISTRY)),
    "002": ("prime", (_PLAN, _QUOTE)),
    "003": ("prime", (_PLAN, _FINANCE, _TAX)),
    "004": ("entry", (_PLAN,)),
    "005": ("prime", (_QUOTE,)),
    "006": ("prime", (_PLAN, _FINANCE)),
    "007": ("prime", (_PLAN, _FINANCE, _TAX)),
    "008": ("entry", (_PLAN, _QUOTE)),
    "009": ("entry", (_PLAN,)),
    "010": ("entry", (_PLAN, _QUOTE)),
    "011": ("entry", (_PLAN,)),
    "012": ("prime", (_PLAN, _FINANCE)),
}


def demo_subsidies(today: datetime) -> list[Subsidy]:
    """The demo catalogue, with acceptance windows relative to ``today`` (an aware date-time)."""
    # Windows open at 00:00 and close at 17:00 Japan time, as jGrants deadlines usually do.
    midnight_jst = datetime.combine((today + JST_OFFSET).date(), time(0), tzinfo=UTC) - JST_OFFSET
    subsidies = []
    for suffix, title, phrase, purpose, industry, area, employees, rate, limit, start, end, created in _DEMO:
        closes = midnight_jst + timedelta(days=end, hours=17)
        subsidies.append(
            Subsidy(
                id=f"a0W5h00000demo{suffix}",
                name=f"S-99{int(suffix):06d}",
                title=title,
                subsidy_catch_phrase=phrase,
                detail=f"<p>{phrase}。本データはデモ用の架空の公募情報です。</p>",
                use_purpose=purpose,
                industry=industry,
                target_area_search=area,
                target_area_detail=area,
                target_number_of_employees=employees,
                subsidy_rate=rate,
                subsidy_max_limit=limit,
                acceptance_start_datetime=midnight_jst + timedelta(days=start),
                acceptance_end_datetime=closes,
                project_end_deadline=closes + timedelta(days=300),
                created_date=midnight_jst - timedelta(days=created),
                minimum_tier=_REQUIREMENTS[suffix][0],
                attachments=list(_REQUIREMENTS[suffix][1]),
                form_schema=demo_form_schema(suffix, title, limit),
            )
        )
    return subsidies


def seed_staff(applications_table: str, users: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Make the demo operator and reviewer staff of the demo ministry (the devstack's bootstrap; the cloud's
    is ``-c ministry_operators``, docs/operators/deploy.md). Overwrites: the seed is idempotent."""
    sub_by_email = {str(u["email"]): str(u["sub"]) for u in users if u.get("sub")}
    seeded = []
    for email, role, name in DEMO_STAFF:
        sub = sub_by_email.get(email)
        if sub is None:
            continue
        member = StaffMember(sub=sub, role="operator" if role == "operator" else "reviewer", name=name, email=email)
        aws.client("dynamodb").put_item(TableName=applications_table, Item=member.to_item())
        seeded.append({"email": email, "role": role, "sub": sub})
    return seeded


PORTAL_SCOPES: Final = ("openid", "profile", "user", "mandate", "email")


def portal_client_id(ministry: str) -> str:
    return f"jgrants-{ministry}"


def seed_portal_client(accounts: AccountsStore, stack: ProvisionedStack, ministry: str, base_url: str) -> str:
    """Register the ministry's jGrants pages at gBizID as a confidential client and put its secret where the
    pages read it (what an operator does in the cloud, docs/operators/deploy.md). Returns the client id."""
    client_id, client_secret = portal_client_id(ministry), new_client_secret()
    accounts.put_relying_party(
        RelyingPartyItem(
            client_id=client_id,
            client_name=f"jGrants 補助金申請（{ministry}）",
            name_en=f"jGrants subsidy applications ({ministry})",
            redirect_uris=(f"{base_url.rstrip('/')}/jgrants/callback",),
            allowed_scopes=PORTAL_SCOPES,
            allowed_account_types=("1", "2", "3"),
            token_endpoint_auth_method="client_secret_basic",
            client_secret_hash=hash_client_secret(client_secret),
        )
    )
    secret_id = stack.resolve(ResourceRef("secret", "jgrants-client", "arn"))
    aws.client("secretsmanager").put_secret_value(SecretId=secret_id, SecretString=client_secret)
    return client_id


def seed_jgrants(
    provisioned: dict[str, ProvisionedStack], users: list[dict[str, Any]] | None = None, base_url: str | None = None
) -> dict[str, Any]:
    """Load the demo catalogue into the demo ministry's subsidies table and, given the demo accounts of
    :func:`devstack.seed_identity.seed_identity`, its staff (idempotent: overwrites items); given the
    devstack's base URL, register the ministry's portal pages at gBizID."""
    stack = provisioned.get(DEMO_MINISTRY)
    if stack is None:
        return {}
    if base_url is not None and "identity" in provisioned:
        accounts = AccountsStore(provisioned["identity"].name("table", "accounts"))
        seed_portal_client(accounts, stack, DEMO_MINISTRY, base_url)
    store = SubsidyStore(stack.name("table", "subsidies"))
    subsidies = demo_subsidies(datetime.now(UTC))
    for subsidy in subsidies:
        store.put_subsidy(subsidy)
    staff = seed_staff(stack.name("table", "applications"), users or [])
    return {
        "jgrants": {
            "ministry": DEMO_MINISTRY,
            "subsidies": len(subsidies),
            "staff": staff,
            "example": "/exp/v1/public/subsidies?keyword=補助金&acceptance=1&sort=acceptance_end_datetime&order=ASC",
        }
    }
