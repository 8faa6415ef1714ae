"""Kinds of corporation, public bodies, and the catalogs activity records are drawn from.

Shares are approximations of the National Tax Agency's published file: most corporations are 株式会社,
then 有限会社 (no new ones since 2006), 合同会社 (only since 2006) and the many forms grouped as 399.
"""

from __future__ import annotations

from dataclasses import dataclass

from devstack.synthdata.geography import CITIES, DESIGNATED_CITIES, PREFECTURES, jis_check_digit
from devstack.synthdata.words import english


@dataclass(frozen=True)
class SubKind:
    """One legal form: the NTA kind code it files under and how its names are built."""

    code: str  # NTA kind code
    word: str  # the kind word in the name ("" when the form has none)
    en: str  # English form appended to name_en ("" for none)
    prefix: float  # probability that the kind word precedes the name (株式会社サクラ) instead of following it
    ending: str  # key of words.ENDINGS, "business" (companies) or "foreign"
    share: float  # share of all corporations
    stems: tuple[float, float, float, float, float, float]  # surname, old province, concept, katakana, initialism, city
    registry: int  # 2-digit kind part of the registry number (会社法人等番号); -1: numbered by the NTA (700150…)


_CO = (0.34, 0.08, 0.20, 0.16, 0.07, 0.15)
_OLD = (0.55, 0.06, 0.17, 0.02, 0.0, 0.20)
_ASSOC = (0.02, 0.25, 0.35, 0.08, 0.05, 0.25)
_PERSONAL = (0.6, 0.05, 0.2, 0.1, 0.0, 0.05)
_RELIGIOUS = (0.0, 0.25, 0.6, 0.0, 0.0, 0.15)

SUBKINDS: tuple[SubKind, ...] = (
    SubKind("301", "株式会社", " Co., Ltd.", 0.45, "business", 0.560, _CO, 1),
    SubKind("302", "有限会社", " Ltd.", 0.55, "business", 0.240, _OLD, 2),
    SubKind("303", "合名会社", " General Partnership", 0.85, "business", 0.004, _OLD, 3),
    SubKind("304", "合資会社", " Limited Partnership", 0.85, "business", 0.015, _OLD, 3),
    SubKind("305", "合同会社", " LLC", 0.70, "business", 0.070, (0.25, 0.04, 0.14, 0.35, 0.12, 0.10), 3),
    SubKind("399", "一般社団法人", "", 1.0, "association", 0.0140, _ASSOC, 5),
    SubKind("399", "一般財団法人", "", 1.0, "foundation", 0.0020, _ASSOC, 5),
    SubKind("399", "公益社団法人", "", 1.0, "association", 0.0010, _ASSOC, 5),
    SubKind("399", "公益財団法人", "", 1.0, "foundation", 0.0010, _ASSOC, 5),
    SubKind("399", "医療法人", "", 1.0, "medical", 0.0080, _PERSONAL, 5),
    SubKind("399", "医療法人社団", "", 1.0, "medical", 0.0040, _PERSONAL, 5),
    SubKind("399", "社会福祉法人", "", 1.0, "welfare", 0.0050, _ASSOC, 5),
    SubKind("399", "学校法人", "", 1.0, "school", 0.0020, _ASSOC, 5),
    SubKind("399", "特定非営利活動法人", "", 1.0, "npo", 0.0100, _ASSOC, 5),
    SubKind("399", "宗教法人", "", 1.0, "religious", 0.0300, _RELIGIOUS, 5),
    SubKind("399", "", "", 0.0, "cooperative", 0.0080, _ASSOC, 5),
    SubKind("399", "農事組合法人", "", 1.0, "farm", 0.0030, _ASSOC, 5),
    SubKind("399", "税理士法人", "", 1.0, "tax", 0.0020, _PERSONAL, 5),
    SubKind("399", "弁護士法人", "", 1.0, "law", 0.0010, _PERSONAL, 5),
    SubKind("399", "司法書士法人", "", 1.0, "scrivener", 0.0005, _PERSONAL, 5),
    SubKind("399", "社会保険労務士法人", "", 1.0, "labour", 0.0005, _PERSONAL, 5),
    SubKind("401", "", "", 0.0, "foreign", 0.0030, (0.0, 0.0, 0.0, 0.9, 0.1, 0.0), -1),
    SubKind("499", "", "", 0.0, "other", 0.0070, (0.02, 0.1, 0.3, 0.0, 0.0, 0.58), -1),
)
SHARE_NATIONAL = 0.0002  # kind 101, capped at the bodies listed below
SHARE_LOCAL = 0.0012  # kind 201, capped likewise

# ------------------------------------------------------------------------------------------------ bodies


@dataclass(frozen=True)
class Body:
    """A national organ (101) or local public body (201): fixed name, place and number."""

    code: str
    name: str
    kana: str
    en: str
    city: int  # index into CITIES
    base: int  # 12-digit base of the corporate number


_MINISTRIES = (
    ("内閣府", "ナイカクフ", "Cabinet Office"), ("総務省", "ソウムショウ", "Ministry of Internal Affairs and Communications"),
    ("法務省", "ホウムショウ", "Ministry of Justice"), ("外務省", "ガイムショウ", "Ministry of Foreign Affairs"),
    ("財務省", "ザイムショウ", "Ministry of Finance"),
    ("文部科学省", "モンブカガクショウ", "Ministry of Education, Culture, Sports, Science and Technology"),
    ("厚生労働省", "コウセイロウドウショウ", "Ministry of Health, Labour and Welfare"),
    ("農林水産省", "ノウリンスイサンショウ", "Ministry of Agriculture, Forestry and Fisheries"),
    ("経済産業省", "ケイザイサンギョウショウ", "Ministry of Economy, Trade and Industry"),
    ("国土交通省", "コクドコウツウショウ", "Ministry of Land, Infrastructure, Transport and Tourism"),
    ("環境省", "カンキョウショウ", "Ministry of the Environment"), ("防衛省", "ボウエイショウ", "Ministry of Defense"),
    ("デジタル庁", "デジタルチョウ", "Digital Agency"), ("復興庁", "フッコウチョウ", "Reconstruction Agency"),
    ("会計検査院", "カイケイケンサイン", "Board of Audit"), ("人事院", "ジンジイン", "National Personnel Authority"),
    ("宮内庁", "クナイチョウ", "Imperial Household Agency"), ("警察庁", "ケイサツチョウ", "National Police Agency"),
    ("金融庁", "キンユウチョウ", "Financial Services Agency"), ("消費者庁", "ショウヒシャチョウ", "Consumer Affairs Agency"),
    ("こども家庭庁", "コドモカテイチョウ", "Children and Families Agency"),
    ("最高裁判所", "サイコウサイバンショ", "Supreme Court"), ("衆議院", "シュウギイン", "House of Representatives"),
    ("参議院", "サンギイン", "House of Councillors"),
    ("国立国会図書館", "コクリツコッカイトショカン", "National Diet Library"),
)  # fmt: skip

_KUMIAI = (
    ("広域行政事務組合", "コウイキギョウセイジムクミアイ", "Regional Administration Association"),
    ("衛生施設組合", "エイセイシセツクミアイ", "Sanitation Facilities Association"),
    ("消防組合", "ショウボウクミアイ", "Fire Fighting Association"),
    ("広域連合", "コウイキレンゴウ", "Regional Union"),
)


def _pref_short_kana(kana: str) -> str:
    for tail in ("ケン", "フ", "ト"):
        if kana.endswith(tail) and kana != "ホッカイドウ":
            return kana[: -len(tail)]
    return kana


def _city_stem(name: str, kana: str) -> tuple[str, str]:
    """ "函館市", "ハコダテシ" → ("函館", "ハコダテ")."""
    if not name.endswith("市"):
        raise ValueError(f"not a city: {name}")
    return name[:-1], kana[:-1]


def _national_bodies() -> list[Body]:
    chiyoda = next(i for i, c in enumerate(CITIES) if c.code == "13101")
    rows = [(name, kana, en, chiyoda) for name, kana, en in _MINISTRIES]
    for p in PREFECTURES:
        short_kana = _pref_short_kana(p.kana)
        place = english(short_kana)
        rows.append((f"{p.short}労働局", f"{short_kana}ロウドウキョク", f"{place} Labour Bureau", p.capital))
        rows.append(
            (f"{p.short}運輸支局", f"{short_kana}ウンユシキョク", f"{place} Transport Branch Bureau", p.capital)
        )
    return [
        Body("101", name, kana, en, city, 12_000_000 + (i + 1) * 1000 + 1)
        for i, (name, kana, en, city) in enumerate(rows)
    ]


def _local_base(code5: str) -> int:
    return 20_000_000 + int(code5 + str(jis_check_digit(code5)))


def _local_bodies() -> list[Body]:
    bodies = [Body("201", p.name, p.kana, p.name, p.capital, _local_base(p.code + "000")) for p in PREFECTURES]
    first_ward: dict[str, int] = {}
    kumiai_serial: dict[str, int] = {}
    for i, c in enumerate(CITIES):
        if c.designated:
            first_ward.setdefault(c.designated, i)
            continue
        bodies.append(Body("201", c.name, c.kana, c.name, i, _local_base(c.code)))
        if c.name.endswith("市"):
            pref = c.code[:2]
            serial = kumiai_serial.get(pref, 0) + 1
            kumiai_serial[pref] = serial
            stem, stem_kana = _city_stem(c.name, c.kana)
            word, word_kana, _en = _KUMIAI[serial % len(_KUMIAI)]
            bodies.append(
                Body("201", stem + word, stem_kana + word_kana, stem + word, i, _local_base(f"{pref}{800 + serial}"))
            )
    for code, name, kana in DESIGNATED_CITIES:
        bodies.append(Body("201", name, kana, name, first_ward[code], _local_base(code)))
    return bodies


NATIONAL_BODIES = _national_bodies()
LOCAL_BODIES = _local_bodies()


def city_stems() -> list[tuple[str, str]]:
    """Place-name stems from the cities ("函館", "ハコダテ"), without repeats."""
    seen: dict[str, str] = {}
    rows = [(c.name, c.kana) for c in CITIES if c.name.endswith("市") and not c.designated]
    for name, kana in rows + [(name, kana) for _code, name, kana in DESIGNATED_CITIES]:
        stem, stem_kana = _city_stem(name, kana)
        seen.setdefault(stem, stem_kana)
    return list(seen.items())


# -------------------------------------------------------------------------------------------- activities


@dataclass(frozen=True)
class Program:
    title: str
    department: str
    target: str
    low: int
    high: int
    weight: float


SUBSIDIES: tuple[Program, ...] = (
    Program("小規模事業者持続化補助金（一般型）", "中小企業庁", "小規模事業者", 300_000, 2_000_000, 30),
    Program("小規模事業者持続化補助金（創業型）", "中小企業庁", "小規模事業者", 500_000, 2_000_000, 4),
    Program("ものづくり・商業・サービス生産性向上促進補助金", "中小企業庁", "中小企業者", 1_000_000, 12_500_000, 12),
    Program("事業再構築補助金", "中小企業庁", "中小企業者等", 1_000_000, 150_000_000, 8),
    Program("IT導入補助金（通常枠）", "中小企業庁", "中小企業・小規模事業者等", 50_000, 4_500_000, 18),
    Program("IT導入補助金（インボイス枠）", "中小企業庁", "中小企業・小規模事業者等", 50_000, 3_500_000, 6),
    Program("中小企業省力化投資補助金", "中小企業庁", "中小企業等", 300_000, 15_000_000, 4),
    Program("事業承継・引継ぎ補助金", "中小企業庁", "中小企業者等", 500_000, 8_000_000, 2),
    Program("成長型中小企業等研究開発支援事業", "中小企業庁", "中小企業者等", 5_000_000, 97_500_000, 1),
    Program("JAPANブランド育成支援等事業費補助金", "中小企業庁", "中小企業者", 1_000_000, 5_000_000, 0.5),
    Program("省エネルギー投資促進支援事業費補助金", "資源エネルギー庁", "事業者", 1_000_000, 150_000_000, 2),
    Program("クリーンエネルギー自動車導入促進補助金", "経済産業省", "事業者", 100_000, 5_000_000, 2),
    Program("地域新成長産業創出促進事業費補助金", "経済産業省", "中小企業者", 5_000_000, 50_000_000, 0.5),
    Program("キャリアアップ助成金", "厚生労働省", "事業主", 300_000, 3_000_000, 8),
    Program("雇用調整助成金", "厚生労働省", "事業主", 100_000, 50_000_000, 6),
    Program("人材開発支援助成金", "厚生労働省", "事業主", 100_000, 5_000_000, 4),
    Program("業務改善助成金", "厚生労働省", "中小企業・小規模事業者", 300_000, 6_000_000, 3),
    Program("働き方改革推進支援助成金", "厚生労働省", "中小企業事業主", 250_000, 2_500_000, 2),
    Program("両立支援等助成金", "厚生労働省", "事業主", 200_000, 1_500_000, 2),
    Program("強い農業づくり総合支援交付金", "農林水産省", "農業者等", 5_000_000, 500_000_000, 0.5),
    Program("水産業競争力強化緊急事業", "水産庁", "漁業者等", 2_000_000, 200_000_000, 0.3),
    Program("地域公共交通確保維持改善事業費補助金", "国土交通省", "交通事業者", 1_000_000, 100_000_000, 0.5),
    Program("長期優良住宅化リフォーム推進事業", "国土交通省", "住宅事業者", 1_000_000, 10_000_000, 1),
    Program("地域一体となった観光地・観光産業の再生・高付加価値化事業", "観光庁", "宿泊事業者", 1_000_000, 100_000_000, 0.5),
    Program("文化芸術振興費補助金", "文化庁", "文化芸術団体", 500_000, 30_000_000, 0.5),
    Program("二酸化炭素排出抑制対策事業費等補助金", "環境省", "事業者", 1_000_000, 300_000_000, 1),
    Program("地域デジタル基盤活用推進事業", "総務省", "事業者", 1_000_000, 50_000_000, 0.3),
)  # fmt: skip

PROCUREMENT_ITEMS = (
    "庁舎清掃業務", "庁舎警備業務", "複写機賃貸借", "事務用品の購入", "情報システム運用保守業務",
    "ネットワーク機器更新", "パソコン等の購入", "調査研究業務", "広報業務委託", "パンフレット印刷業務",
    "道路改良工事", "河川維持工事", "橋梁補修工事", "測量業務", "建設コンサルタント業務", "車両の購入",
    "燃料（ガソリン）の購入", "電力の調達", "給食業務委託", "施設維持管理業務", "空調設備改修工事",
    "電気設備保守点検業務", "翻訳業務", "研修業務委託", "物品運送業務", "医薬品の購入", "試験研究用機器の購入",
    "ソフトウェアライセンスの購入", "消耗品の購入", "データ分析業務", "コールセンター運営業務", "イベント運営業務",
    "防災備蓄品の購入", "廃棄物処理業務", "設計業務", "港湾整備工事", "庁舎改修工事", "システム開発業務",
    "クラウドサービス利用", "統計調査業務",
)  # fmt: skip

PROCUREMENT_DEPARTMENTS = (
    ("国土交通省", 20), ("防衛省", 14), ("農林水産省", 8), ("厚生労働省", 8), ("経済産業省", 6), ("総務省", 4),
    ("法務省", 5), ("財務省", 4), ("文部科学省", 3), ("環境省", 3), ("外務省", 2), ("内閣府", 2),
    ("デジタル庁", 2), ("警察庁", 2), ("国税庁", 3), ("気象庁", 1), ("海上保安庁", 2), ("特許庁", 1),
    ("林野庁", 2), ("水産庁", 1), ("資源エネルギー庁", 1), ("中小企業庁", 1), ("最高裁判所", 2),
)  # fmt: skip


@dataclass(frozen=True)
class Recognition:
    title: str
    category: str
    department: str  # "" = the corporation's prefecture, "-" = its city
    years: int  # validity in years, 0 = no expiry
    weight: float


CERTIFICATIONS: tuple[Recognition, ...] = (
    Recognition("経営革新計画の承認", "経営革新計画", "", 0, 10),
    Recognition("事業継続力強化計画の認定", "事業継続力強化計画", "中小企業庁", 3, 14),
    Recognition("先端設備等導入計画の認定", "先端設備等導入計画", "-", 3, 8),
    Recognition("経営力向上計画の認定", "経営力向上計画", "経済産業省", 0, 16),
    Recognition("健康経営優良法人（中小規模法人部門）", "健康経営優良法人", "経済産業省", 1, 6),
    Recognition("健康経営優良法人（大規模法人部門）", "健康経営優良法人", "経済産業省", 1, 1),
    Recognition("えるぼし認定", "女性活躍推進法に基づく認定", "厚生労働省", 0, 1.5),
    Recognition("くるみん認定", "次世代育成支援対策推進法に基づく認定", "厚生労働省", 0, 2),
    Recognition("ユースエール認定", "若者雇用促進法に基づく認定", "厚生労働省", 0, 0.8),
    Recognition("地域未来牽引企業", "地域未来牽引企業", "経済産業省", 0, 0.5),
    Recognition("地域経済牽引事業計画の承認", "地域未来投資促進法", "", 5, 1),
    Recognition("一般建設業許可", "建設業許可", "", 5, 8),
    Recognition("特定建設業許可", "建設業許可", "国土交通省", 5, 2),
    Recognition("宅地建物取引業免許", "宅地建物取引業", "", 5, 5),
    Recognition("一般貨物自動車運送事業の許可", "貨物自動車運送事業", "国土交通省", 0, 2),
    Recognition("産業廃棄物収集運搬業許可", "産業廃棄物処理業", "", 5, 3),
    Recognition("DX認定事業者", "DX認定制度", "経済産業省", 2, 0.8),
    Recognition("パートナーシップ構築宣言", "パートナーシップ構築宣言", "中小企業庁", 0, 3),
    Recognition("認定農業者（農業経営改善計画の認定）", "認定農業者", "-", 5, 1),
)

COMMENDATIONS: tuple[Recognition, ...] = (
    Recognition("はばたく中小企業・小規模事業者300社", "中小企業表彰", "中小企業庁", 0, 3),
    Recognition("ものづくり日本大賞", "ものづくり日本大賞", "経済産業省", 0, 1),
    Recognition("知財功労賞", "知財功労賞", "特許庁", 0, 0.5),
    Recognition("健康経営銘柄", "健康経営銘柄", "経済産業省", 0, 0.3),
    Recognition("新・ダイバーシティ経営企業100選", "ダイバーシティ経営", "経済産業省", 0, 0.5),
    Recognition("安全衛生に係る厚生労働大臣表彰", "安全衛生", "厚生労働省", 0, 2),
    Recognition("建設事業関係功労者等国土交通大臣表彰", "建設事業", "国土交通省", 0, 2),
    Recognition("優良工事等表彰", "優良工事", "国土交通省", 0, 4),
    Recognition("地球温暖化防止活動環境大臣表彰", "地球温暖化防止活動", "環境省", 0, 1),
    Recognition("農林水産祭天皇杯", "農林水産祭", "農林水産省", 0, 0.2),
    Recognition("消費者支援功労者表彰", "消費者支援", "内閣府", 0, 0.3),
    Recognition("情報化促進貢献個人等表彰", "情報化促進", "経済産業省", 0, 0.3),
    Recognition("物流パートナーシップ優良事業者表彰", "物流", "国土交通省", 0, 0.5),
    Recognition("交通安全優良事業所表彰", "交通安全", "警察庁", 0, 1),
)

# Fiscal-year labels (April to March) of the years activities fall in.
FISCAL_YEARS = tuple(range(2015, 2026))


def fiscal_year_label(year: int) -> str:
    if year <= 2018:
        return f"平成{year - 1988}年度"
    return "令和元年度" if year == 2019 else f"令和{year - 2018}年度"
