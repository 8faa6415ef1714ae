"""Demo subsidies of the demo ministry's jGrants catalogue.

Ids (``a0W5h00000demo0NN``) and subsidy numbers (``S-9900000N``) are fictional; titles follow real programmes
so the catalogue looks familiar. Acceptance windows are set relative to today, so some subsidies are always
open, some upcoming and some closed.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from devstack.naming import DEMO_MINISTRY
from devstack.provision import ProvisionedStack
from functions.submit.dal import SubsidyStore
from functions.submit.models import Subsidy

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
            )
        )
    return subsidies


def seed_jgrants(provisioned: dict[str, ProvisionedStack]) -> dict[str, Any]:
    """Load the demo catalogue into the demo ministry's subsidies table (idempotent: overwrites items)."""
    stack = provisioned.get(DEMO_MINISTRY)
    if stack is None:
        return {}
    store = SubsidyStore(stack.name("table", "subsidies"))
    subsidies = demo_subsidies(datetime.now(UTC))
    for subsidy in subsidies:
        store.put_subsidy(subsidy)
    return {
        "jgrants": {
            "ministry": DEMO_MINISTRY,
            "subsidies": len(subsidies),
            "example": "/exp/v1/public/subsidies?keyword=補助金&acceptance=1&sort=acceptance_end_datetime&order=ASC",
        }
    }
