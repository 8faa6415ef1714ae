"""Prefectures and the cities the generator places corporations in, with weights, postal areas and the
registry-office prefixes that corporate numbers start with.

Weights are approximate: a prefecture weighs its population (2020 census, thousands) with Tokyo and Osaka
raised for their concentration of head offices; within a prefecture the capital and the business wards weigh
more than other cities. Postal codes keep the real first digits of the prefecture (and the real 3-digit area
of capitals and central wards); the remaining digits are drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from devstack.synthdata.municipalities import DESIGNATED_CITY_ROWS, MUNICIPALITY_ROWS, PREFECTURE_ROWS

# code: (population in thousands, capital city's name as listed, postal 3-digit range, registry bureau prefixes)
_PREFECTURE_FACTS: dict[str, tuple[int, str, tuple[int, int], tuple[str, ...]]] = {
    "01": (5225, "札幌市中央区", (40, 99), ("43", "44", "45", "46")),
    "02": (1238, "青森市", (30, 39), ("42",)),
    "03": (1211, "盛岡市", (20, 29), ("40",)),
    "04": (2302, "仙台市青葉区", (980, 989), ("37",)),
    "05": (960, "秋田市", (10, 19), ("41",)),
    "06": (1068, "山形市", (990, 999), ("39",)),
    "07": (1833, "福島市", (960, 979), ("38",)),
    "08": (2867, "水戸市", (300, 319), ("05",)),
    "09": (1933, "宇都宮市", (320, 329), ("06",)),
    "10": (1939, "前橋市", (370, 379), ("07",)),
    "11": (7345, "さいたま市浦和区", (330, 369), ("03",)),
    "12": (6284, "千葉市中央区", (260, 299), ("04",)),
    "13": (14048, "新宿区", (100, 208), ("01",)),
    "14": (9237, "横浜市中区", (210, 259), ("02",)),
    "15": (2201, "新潟市中央区", (940, 959), ("11",)),
    "16": (1035, "富山市", (930, 939), ("23",)),
    "17": (1133, "金沢市", (920, 929), ("22",)),
    "18": (767, "福井市", (910, 919), ("21",)),
    "19": (810, "甲府市", (400, 409), ("09",)),
    "20": (2048, "長野市", (380, 399), ("10",)),
    "21": (1979, "岐阜市", (500, 509), ("20",)),
    "22": (3633, "静岡市葵区", (410, 439), ("08",)),
    "23": (7542, "名古屋市中区", (440, 497), ("18",)),
    "24": (1770, "津市", (510, 519), ("19",)),
    "25": (1414, "大津市", (520, 529), ("16",)),
    "26": (2578, "京都市中京区", (600, 629), ("13",)),
    "27": (8838, "大阪市中央区", (530, 599), ("12",)),
    "28": (5465, "神戸市中央区", (650, 679), ("14",)),
    "29": (1324, "奈良市", (630, 639), ("15",)),
    "30": (923, "和歌山市", (640, 649), ("17",)),
    "31": (553, "鳥取市", (680, 689), ("27",)),
    "32": (671, "松江市", (690, 699), ("28",)),
    "33": (1888, "岡山市北区", (700, 719), ("26",)),
    "34": (2800, "広島市中区", (720, 739), ("24",)),
    "35": (1342, "山口市", (740, 759), ("25",)),
    "36": (720, "徳島市", (770, 779), ("48",)),
    "37": (950, "高松市", (760, 769), ("47",)),
    "38": (1335, "松山市", (790, 799), ("50",)),
    "39": (692, "高知市", (780, 789), ("49",)),
    "40": (5135, "福岡市博多区", (800, 839), ("29",)),
    "41": (811, "佐賀市", (840, 849), ("30",)),
    "42": (1312, "長崎市", (850, 859), ("31",)),
    "43": (1738, "熊本市中央区", (860, 869), ("33",)),
    "44": (1124, "大分市", (870, 879), ("32",)),
    "45": (1070, "宮崎市", (880, 889), ("35",)),
    "46": (1588, "鹿児島市", (890, 899), ("34",)),
    "47": (1467, "那覇市", (900, 909), ("36",)),
}

# Head offices concentrate beyond population.
_CONCENTRATION = {"13": 1.9, "27": 1.2, "23": 1.05}

# Real 3-digit postal areas of capitals and business wards (the rest are spread over the prefecture's range).
_POSTAL_AREA = {
    "01101": 60, "01102": 1, "01103": 65, "01104": 3, "01105": 62, "02201": 30, "03201": 20,
    "04101": 980, "04102": 983, "04103": 984, "04104": 982, "04105": 981, "05201": 10, "06201": 990,
    "07201": 960, "08201": 310, "09201": 320, "10201": 371, "11103": 330, "11105": 338, "11107": 330,
    "12101": 260, "12106": 261, "13101": 100, "13102": 103, "13103": 105, "13104": 160, "13105": 112,
    "13106": 110, "13107": 130, "13108": 135, "13109": 140, "13110": 153, "13111": 143, "13112": 154,
    "13113": 150, "13114": 164, "13115": 166, "13116": 170, "13117": 114, "13118": 116, "13119": 173,
    "13120": 176, "13121": 120, "13122": 124, "13123": 132, "14101": 230, "14102": 221, "14103": 220,
    "14104": 231, "14109": 222, "14110": 244, "14118": 224, "14131": 210, "14132": 212, "14133": 211,
    "14134": 213, "14152": 252, "15103": 951, "16201": 930, "17201": 920, "18201": 910, "19201": 400,
    "20201": 380, "21201": 500, "22101": 420, "22102": 422, "22103": 424, "22138": 430, "23101": 464,
    "23102": 461, "23105": 450, "23106": 460, "23110": 454, "24201": 514, "25201": 520, "26103": 606,
    "26104": 604, "26106": 600, "26109": 612, "27106": 550, "27114": 533, "27120": 558, "27123": 532,
    "27127": 530, "27128": 540, "27141": 590, "28101": 658, "28109": 651, "28110": 650, "29201": 630,
    "30201": 640, "31201": 680, "32201": 690, "33101": 700, "34101": 730, "34102": 732, "34103": 734,
    "34104": 733, "34105": 731, "35203": 753, "36201": 770, "37201": 760, "38201": 790, "39201": 780,
    "40106": 802, "40109": 806, "40131": 813, "40132": 812, "40133": 810, "40134": 815, "40137": 814,
    "41201": 840, "42201": 850, "43101": 860, "44201": 870, "45201": 880, "46201": 890, "47201": 900,
}  # fmt: skip

# Tokyo's business wards hold far more head offices than their residents suggest.
_WARD_WEIGHT = {"13101": 90.0, "13102": 90.0, "13103": 130.0, "13104": 70.0, "13113": 70.0, "13109": 35.0}
# Designated cities: population in ten thousands, spread over the wards listed.
_DESIGNATED_CITY_WEIGHT = {
    "01100": 197, "04100": 109, "11100": 134, "12100": 98, "14100": 377, "14130": 154, "14150": 72,
    "15100": 78, "22100": 69, "22130": 79, "23100": 233, "26100": 146, "27100": 275, "27140": 83,
    "28100": 152, "33100": 72, "34100": 120, "40100": 94, "40130": 161, "43100": 74,
}  # fmt: skip
_CAPITAL_WEIGHT = 40.0
_TOKYO_WARD_WEIGHT = 25.0
_CITY_WEIGHT = 8.0


@dataclass(frozen=True)
class Prefecture:
    code: str
    name: str
    kana: str
    short: str  # without 都/府/県 (北海道 stays)
    weight: float
    capital: int  # index into CITIES
    postal_range: tuple[int, int]
    bureaus: tuple[str, ...]  # 2-digit registry bureau prefixes of corporate numbers
    offices: int  # registry offices per bureau


@dataclass(frozen=True)
class City:
    code: str
    name: str
    kana: str
    prefecture: int  # index into PREFECTURES
    weight: float
    postal_area: int  # first three digits of the postal code
    designated: str  # the designated city's code for a ward, else ""


def _short(name: str) -> str:
    return name if name == "北海道" else name[:-1]


def _build() -> tuple[tuple[Prefecture, ...], tuple[City, ...]]:
    pref_index = {code: i for i, (code, _, _) in enumerate(PREFECTURE_ROWS)}
    by_pref: dict[str, list[tuple[str, str, str, str]]] = {code: [] for code, _, _ in PREFECTURE_ROWS}
    for row in MUNICIPALITY_ROWS:
        by_pref[row[0][:2]].append(row)
    wards_of: dict[str, int] = {}
    for _code, _name, _kana, designated in MUNICIPALITY_ROWS:
        if designated:
            wards_of[designated] = wards_of.get(designated, 0) + 1
    cities: list[City] = []
    prefectures: list[Prefecture] = []
    for code, name, kana in PREFECTURE_ROWS:
        population, capital_name, (lo, hi), bureaus = _PREFECTURE_FACTS[code]
        rows = by_pref[code]
        capital = -1
        seen: set[str] = set()
        for n, (ccode, cname, ckana, designated) in enumerate(rows):
            if designated:
                # the first ward listed is the central one: 40 % of the city, the rest share 60 %
                if wards_of[designated] == 1:
                    share = 1.0
                elif designated not in seen:
                    share = 0.4
                else:
                    share = 0.6 / (wards_of[designated] - 1)
                seen.add(designated)
                weight = _DESIGNATED_CITY_WEIGHT[designated] * share
            elif code == "13" and ccode < "13200":
                weight = _WARD_WEIGHT.get(ccode, _TOKYO_WARD_WEIGHT)
            elif cname == capital_name:
                weight = _CAPITAL_WEIGHT
            else:
                weight = _CITY_WEIGHT
            # cities are listed in code order, which runs roughly along the postal areas of the prefecture
            spread = lo + (hi - lo) * n // max(len(rows) - 1, 1)
            area = _POSTAL_AREA.get(ccode, spread)
            if cname == capital_name:
                capital = len(cities)
            cities.append(City(ccode, cname, ckana, pref_index[code], weight, area, designated))
        if capital < 0:
            raise ValueError(f"capital {capital_name} of {name} is not listed")
        offices = int(min(20, max(2, round(population / 600))))
        weight = population * _CONCENTRATION.get(code, 1.0)
        prefectures.append(Prefecture(code, name, kana, _short(name), weight, capital, (lo, hi), bureaus, offices))
    return tuple(prefectures), tuple(cities)


PREFECTURES, CITIES = _build()
DESIGNATED_CITIES = DESIGNATED_CITY_ROWS


def jis_check_digit(code5: str) -> int:
    """The check digit of a local-government code (the 6th digit of JIS X 0402)."""
    total = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


def prefecture_weights() -> np.ndarray:
    w = np.array([p.weight for p in PREFECTURES], dtype=np.float64)
    shares: np.ndarray = w / w.sum()
    return shares


def city_sampling_table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cumulative weights over CITIES, start and end of each prefecture's span in that cumulative scale).

    Cities are grouped by prefecture, so drawing ``start + u * (end - start)`` and searching the cumulative
    weights picks a city of that prefecture with probability proportional to its weight.
    """
    weights = np.array([c.weight for c in CITIES], dtype=np.float64)
    cumulative = np.cumsum(weights)
    pref_of_city = np.array([c.prefecture for c in CITIES], dtype=np.int64)
    start = np.zeros(len(PREFECTURES), dtype=np.float64)
    end = np.zeros(len(PREFECTURES), dtype=np.float64)
    for p in range(len(PREFECTURES)):
        idx = np.flatnonzero(pref_of_city == p)
        start[p] = cumulative[idx[0]] - weights[idx[0]]
        end[p] = cumulative[idx[-1]]
    return cumulative, start, end
