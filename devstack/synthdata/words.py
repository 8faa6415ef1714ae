"""Word lists that corporation names, people and addresses are built from, each word with its reading.

Readings are katakana. English forms come from the reading (Hepburn, long vowels folded as in "Tokyo") unless
a word gives its own. A corporation's kana is the reading of its name without the kind words (株式会社 …),
as in the National Tax Agency's furigana.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# ---------------------------------------------------------------------------------------------- romanisation

_DIGRAPHS = {
    "キャ": "kya", "キュ": "kyu", "キョ": "kyo", "シャ": "sha", "シュ": "shu", "ショ": "sho", "シェ": "she",
    "チャ": "cha", "チュ": "chu", "チョ": "cho", "チェ": "che", "ニャ": "nya", "ニュ": "nyu", "ニョ": "nyo",
    "ヒャ": "hya", "ヒュ": "hyu", "ヒョ": "hyo", "ミャ": "mya", "ミュ": "myu", "ミョ": "myo", "リャ": "rya",
    "リュ": "ryu", "リョ": "ryo", "ギャ": "gya", "ギュ": "gyu", "ギョ": "gyo", "ジャ": "ja", "ジュ": "ju",
    "ジョ": "jo", "ジェ": "je", "ビャ": "bya", "ビュ": "byu", "ビョ": "byo", "ピャ": "pya", "ピュ": "pyu",
    "ピョ": "pyo", "ファ": "fa", "フィ": "fi", "フェ": "fe", "フォ": "fo", "ティ": "ti", "ディ": "di",
    "デュ": "dyu", "ウィ": "wi", "ウェ": "we", "ウォ": "wo", "ヴァ": "va", "ヴィ": "vi", "ヴェ": "ve",
    "ヴォ": "vo", "ツァ": "tsa",
}  # fmt: skip
_MONO = dict(
    zip(
        "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
        "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴァィゥェォャュョ",
        [
            "a",
            "i",
            "u",
            "e",
            "o",
            "ka",
            "ki",
            "ku",
            "ke",
            "ko",
            "sa",
            "shi",
            "su",
            "se",
            "so",
            "ta",
            "chi",
            "tsu",
            "te",
            "to",
            "na",
            "ni",
            "nu",
            "ne",
            "no",
            "ha",
            "hi",
            "fu",
            "he",
            "ho",
            "ma",
            "mi",
            "mu",
            "me",
            "mo",
            "ya",
            "yu",
            "yo",
            "ra",
            "ri",
            "ru",
            "re",
            "ro",
            "wa",
            "o",
            "n",
            "ga",
            "gi",
            "gu",
            "ge",
            "go",
            "za",
            "ji",
            "zu",
            "ze",
            "zo",
            "da",
            "ji",
            "zu",
            "de",
            "do",
            "ba",
            "bi",
            "bu",
            "be",
            "bo",
            "pa",
            "pi",
            "pu",
            "pe",
            "po",
            "vu",
            "a",
            "i",
            "u",
            "e",
            "o",
            "ya",
            "yu",
            "yo",
        ],
        strict=True,
    )
)
_FOLD = re.compile(r"(?<=[ou])u(?![aeiou])|(?<=o)o(?![aeiou])")


def romanize(kana: str) -> str:
    """Hepburn romanisation of katakana, long vowels folded ("トウキョウ" → "tokyo")."""
    out: list[str] = []
    i = 0
    double = False
    while i < len(kana):
        pair = kana[i : i + 2]
        if pair in _DIGRAPHS:
            syllable, i = _DIGRAPHS[pair], i + 2
        elif kana[i] == "ッ":
            double, i = True, i + 1
            continue
        elif kana[i] == "ー":
            i += 1
            continue
        elif kana[i] in _MONO:
            syllable, i = _MONO[kana[i]], i + 1
        else:
            syllable, i = kana[i], i + 1
        if double:
            syllable = ("t" + syllable) if syllable.startswith("ch") else syllable[0] + syllable
            double = False
        out.append(syllable)
    return _FOLD.sub("", "".join(out))


def english(kana: str) -> str:
    return romanize(kana).capitalize()


def _pairs(text: str) -> list[tuple[str, str]]:
    """Parse "表記 ヨミ" pairs separated by spaces or newlines."""
    tokens = text.split()
    if len(tokens) % 2:
        raise ValueError(f"odd number of tokens near {tokens[-3:]}")
    return list(zip(tokens[0::2], tokens[1::2], strict=True))


def _triples(text: str) -> list[tuple[str, str, str]]:
    """Parse "表記 ヨミ English words" lines."""
    rows = []
    for line in text.strip().splitlines():
        written, reading, en = line.split(maxsplit=2)
        rows.append((written, reading, en))
    return rows


# --------------------------------------------------------------------------------------------------- people

# Surnames, most frequent first (the generator draws them with Zipf-like weights).
SURNAMES = _pairs("""
佐藤 サトウ 鈴木 スズキ 高橋 タカハシ 田中 タナカ 伊藤 イトウ 渡辺 ワタナベ 山本 ヤマモト 中村 ナカムラ
小林 コバヤシ 加藤 カトウ 吉田 ヨシダ 山田 ヤマダ 佐々木 ササキ 山口 ヤマグチ 松本 マツモト 井上 イノウエ
木村 キムラ 林 ハヤシ 斎藤 サイトウ 清水 シミズ 山崎 ヤマザキ 森 モリ 池田 イケダ 橋本 ハシモト 阿部 アベ
石川 イシカワ 山下 ヤマシタ 中島 ナカジマ 石井 イシイ 小川 オガワ 前田 マエダ 岡田 オカダ 長谷川 ハセガワ
藤田 フジタ 後藤 ゴトウ 近藤 コンドウ 村上 ムラカミ 遠藤 エンドウ 青木 アオキ 坂本 サカモト 斉藤 サイトウ
福田 フクダ 太田 オオタ 西村 ニシムラ 藤井 フジイ 金子 カネコ 岡本 オカモト 藤原 フジワラ 中野 ナカノ
三浦 ミウラ 原田 ハラダ 中川 ナカガワ 松田 マツダ 竹内 タケウチ 小野 オノ 田村 タムラ 中山 ナカヤマ
和田 ワダ 石田 イシダ 森田 モリタ 上田 ウエダ 原 ハラ 内田 ウチダ 柴田 シバタ 酒井 サカイ 宮崎 ミヤザキ
横山 ヨコヤマ 高木 タカギ 安藤 アンドウ 宮本 ミヤモト 大野 オオノ 小島 コジマ 谷口 タニグチ 今井 イマイ
工藤 クドウ 高田 タカダ 増田 マスダ 丸山 マルヤマ 杉山 スギヤマ 村田 ムラタ 大塚 オオツカ 新井 アライ
小山 コヤマ 平野 ヒラノ 藤本 フジモト 河野 コウノ 上野 ウエノ 野口 ノグチ 武田 タケダ 松井 マツイ
千葉 チバ 岩崎 イワサキ 菅原 スガワラ 木下 キノシタ 久保 クボ 佐野 サノ 野村 ノムラ 松尾 マツオ
市川 イチカワ 菊地 キクチ 杉本 スギモト 古川 フルカワ 大西 オオニシ 島田 シマダ 水野 ミズノ 桜井 サクライ
高野 タカノ 渡部 ワタナベ 吉川 ヨシカワ 山内 ヤマウチ 西田 ニシダ 飯田 イイダ 菊池 キクチ 西川 ニシカワ
小松 コマツ 北村 キタムラ 安田 ヤスダ 五十嵐 イガラシ 川口 カワグチ 平田 ヒラタ 関 セキ 中田 ナカタ
久保田 クボタ 服部 ハットリ 東 ヒガシ 岩田 イワタ 土屋 ツチヤ 川崎 カワサキ 福島 フクシマ 本田 ホンダ
辻 ツジ 樋口 ヒグチ 秋山 アキヤマ 田口 タグチ 永井 ナガイ 山中 ヤマナカ 中西 ナカニシ 吉村 ヨシムラ
川上 カワカミ 石原 イシハラ 大橋 オオハシ 松岡 マツオカ 馬場 ババ 浅野 アサノ 荒木 アラキ
大久保 オオクボ 野田 ノダ 小沢 オザワ 田辺 タナベ 川村 カワムラ 星野 ホシノ 谷 タニ 黒田 クロダ 堀 ホリ
尾崎 オザキ 望月 モチヅキ 永田 ナガタ 熊谷 クマガイ 内藤 ナイトウ 松村 マツムラ 西山 ニシヤマ
大谷 オオタニ 平井 ヒライ 大島 オオシマ 岩本 イワモト 片山 カタヤマ 本間 ホンマ 早川 ハヤカワ
横田 ヨコタ 岡崎 オカザキ 荒井 アライ 大石 オオイシ 鎌田 カマタ 成田 ナリタ 宮田 ミヤタ 小田 オダ
石橋 イシバシ 篠原 シノハラ 須藤 スドウ 河合 カワイ 大森 オオモリ 宮下 ミヤシタ 高山 タカヤマ
萩原 ハギワラ 吉岡 ヨシオカ 小池 コイケ 堀内 ホリウチ 松下 マツシタ 小西 コニシ 関口 セキグチ
中井 ナカイ 奥村 オクムラ 北川 キタガワ 白石 シライシ 浜田 ハマダ 大川 オオカワ 今村 イマムラ
上原 ウエハラ 宮内 ミヤウチ 西野 ニシノ 小泉 コイズミ 上村 ウエムラ 川端 カワバタ 岡 オカ 松浦 マツウラ
稲垣 イナガキ 金井 カナイ 森本 モリモト 福井 フクイ 三宅 ミヤケ 桑原 クワバラ 松原 マツバラ 富田 トミタ
杉浦 スギウラ 南 ミナミ 栗原 クリハラ 伊東 イトウ 森下 モリシタ 飯塚 イイヅカ 坂口 サカグチ 岡村 オカムラ
奥田 オクダ 宮川 ミヤガワ 中尾 ナカオ 大竹 オオタケ 榎本 エノモト 植田 ウエダ 土井 ドイ 田島 タジマ
浅井 アサイ 平山 ヒラヤマ 小谷 コタニ 西岡 ニシオカ 竹田 タケダ 小倉 オグラ 根本 ネモト 村井 ムライ
松永 マツナガ 岩井 イワイ 川田 カワダ 前川 マエカワ 藤川 フジカワ 細川 ホソカワ 野崎 ノザキ 北野 キタノ
中谷 ナカタニ 三上 ミカミ 武藤 ムトウ 大山 オオヤマ 松島 マツシマ 安井 ヤスイ 福本 フクモト 古田 フルタ
杉田 スギタ 宇野 ウノ 青山 アオヤマ 白井 シライ 北原 キタハラ 米田 ヨネダ 堤 ツツミ 牧野 マキノ
広瀬 ヒロセ 桑田 クワタ 竹中 タケナカ 三好 ミヨシ 吉原 ヨシハラ 寺田 テラダ 浅田 アサダ 戸田 トダ
八木 ヤギ 中澤 ナカザワ 小笠原 オガサワラ 矢野 ヤノ 川島 カワシマ 香川 カガワ 安達 アダチ 青柳 アオヤギ
笠原 カサハラ 徳永 トクナガ 坂田 サカタ 梅田 ウメダ 宮原 ミヤハラ 松山 マツヤマ 吉野 ヨシノ 今田 イマダ
高島 タカシマ 石崎 イシザキ 江口 エグチ 岸 キシ 菅野 カンノ 一ノ瀬 イチノセ 大沢 オオサワ 沢田 サワダ
矢島 ヤジマ 長田 ナガタ 西尾 ニシオ 中本 ナカモト 小原 オハラ 岸本 キシモト 山岸 ヤマギシ 橋口 ハシグチ
鶴田 ツルタ 泉 イズミ 新田 ニッタ 滝沢 タキザワ 村松 ムラマツ 三木 ミキ 日高 ヒダカ 大場 オオバ
田代 タシロ 加納 カノウ 伊達 ダテ 岩瀬 イワセ 有田 アリタ 若林 ワカバヤシ 柳田 ヤナギダ 秋元 アキモト
竹本 タケモト 松崎 マツザキ 堀田 ホッタ 若松 ワカマツ 吉本 ヨシモト 山岡 ヤマオカ 福永 フクナガ
川原 カワハラ 寺島 テラシマ 野上 ノガミ 池上 イケガミ 嶋田 シマダ 内山 ウチヤマ 金田 カネダ 長尾 ナガオ
相沢 アイザワ 宮沢 ミヤザワ 黒木 クロキ 関根 セキネ 渡邊 ワタナベ 齋藤 サイトウ 髙橋 タカハシ 田畑 タバタ
稲葉 イナバ 石塚 イシヅカ 柏木 カシワギ 竹下 タケシタ 沖田 オキタ 古賀 コガ 中原 ナカハラ 宮城 ミヤギ
比嘉 ヒガ 金城 キンジョウ 大城 オオシロ 新垣 アラカキ 島袋 シマブクロ 玉城 タマキ 知念 チネン
宮里 ミヤザト 仲宗根 ナカソネ 大塚 オオツカ 小森 コモリ 水谷 ミズタニ 岡野 オカノ 松野 マツノ 深沢 フカサワ
熊田 クマダ 河村 カワムラ 菅 スガ 森川 モリカワ 早坂 ハヤサカ 志村 シムラ 西本 ニシモト 須田 スダ
谷川 タニガワ 大木 オオキ 福原 フクハラ 三輪 ミワ 内海 ウツミ 片岡 カタオカ 藤村 フジムラ 坂井 サカイ
岩崎 イワサキ 長野 ナガノ 宮尾 ミヤオ 吉沢 ヨシザワ 西沢 ニシザワ 野中 ノナカ 小出 コイデ 荻野 オギノ
平川 ヒラカワ 森山 モリヤマ 堀江 ホリエ 池本 イケモト 奥山 オクヤマ 大平 オオヒラ 川辺 カワベ 小松崎 コマツザキ
""")

GIVEN_NAMES = [
    "太郎",
    "一郎",
    "健一",
    "誠",
    "浩",
    "隆",
    "博",
    "修",
    "剛",
    "茂",
    "勝",
    "実",
    "明",
    "進",
    "豊",
    "清",
    "勇",
    "正",
    "和夫",
    "正人",
    "健二",
    "浩二",
    "達也",
    "直樹",
    "大輔",
    "翔太",
    "拓也",
    "健太",
    "雄一",
    "和也",
    "哲也",
    "修一",
    "秀樹",
    "誠一",
    "俊介",
    "亮",
    "翔",
    "大樹",
    "蓮",
    "悠真",
    "陽翔",
    "湊",
    "大和",
    "颯太",
    "拓海",
    "悠人",
    "優斗",
    "健",
    "武",
    "弘",
    "勉",
    "稔",
    "聡",
    "学",
    "功",
    "智",
    "徹",
    "仁",
    "淳",
    "敦",
    "彰",
    "昭",
    "宏",
    "裕之",
    "英樹",
    "康弘",
    "幸男",
    "光男",
    "義雄",
    "正雄",
    "秀夫",
    "和彦",
    "信也",
    "伸二",
    "雅人",
    "隆之",
    "恭平",
    "慎一",
    "崇",
    "裕太",
    "圭",
    "匠",
    "陸",
    "慎太郎",
    "健太郎",
    "龍之介",
    "幸一",
    "良太",
    "康介",
    "貴之",
    "剛志",
    "将太",
    "祐介",
    "洋平",
    "純一",
    "敏夫",
    "昌彦",
    "典久",
    "博之",
    "正樹",
    "一樹",
    "賢治",
    "浩一",
    "弘樹",
    "克也",
    "俊彦",
    "孝",
    "浩之",
    "雅之",
    "正和",
    "光一",
    "英二",
    "喜久雄",
    "信夫",
    "和男",
    "三郎",
    "四郎",
    "次郎",
    "大介",
    "直人",
    "洋介",
    "亮太",
    "雄太",
    "勇気",
    "悠斗",
    "樹",
    "陽太",
    "蒼",
    "律",
    "朝陽",
    "結翔",
    "碧",
    "伸一",
    "利夫",
    "敏行",
    "晃",
    "透",
    "悟",
    "守",
    "真一",
    "真司",
    "公一",
    "孝之",
    "義之",
    "哲郎",
    "栄一",
    "政治",
    "良一",
    "雅彦",
    "英明",
    "雄大",
    "啓介",
    "航",
    "隼人",
    "智也",
    "秀明",
    "和宏",
    "幸治",
    "健司",
    "武史",
    "道夫",
    "花子",
    "恵子",
    "幸子",
    "洋子",
    "裕子",
    "美智子",
    "京子",
    "久美子",
    "由美子",
    "真由美",
    "明美",
    "直美",
    "智子",
    "陽子",
    "和子",
    "節子",
    "典子",
    "順子",
    "純子",
    "由紀",
    "麻衣",
    "愛",
    "舞",
    "彩",
    "美咲",
    "陽菜",
    "結衣",
    "葵",
    "さくら",
    "凛",
    "美穂",
    "香織",
    "恵",
    "優子",
    "奈々",
    "千尋",
    "沙織",
    "理恵",
    "亜希子",
    "真理子",
    "里美",
    "絵美",
    "早苗",
    "綾",
    "麻美",
    "友美",
    "佳奈",
    "未来",
    "楓",
    "芽依",
    "紗希",
    "真央",
    "美紀",
    "由香",
    "加奈子",
    "瞳",
    "晴美",
    "静香",
    "ひとみ",
    "文子",
    "和美",
    "礼子",
    "悦子",
    "弘子",
    "千代",
    "光子",
    "恵美",
    "好美",
    "美香",
    "由佳",
    "裕美",
    "智美",
    "朋子",
    "美和",
    "桂子",
    "紀子",
    "美由紀",
    "真紀",
    "陽菜子",
    "結菜",
    "莉子",
    "美月",
    "心春",
    "紬",
    "澪",
    "杏",
    "琴音",
    "彩花",
    "七海",
    "萌",
    "遥",
    "美保",
    "恭子",
    "貴子",
    "淑子",
    "雅子",
    "敬子",
    "静子",
    "信子",
    "和恵",
    "康子",
    "昌子",
    "成美",
    "亜美",
    "茜",
    "薫",
    "渚",
    "望",
    "唯",
    "栞",
    "彩乃",
    "菜摘",
    "千夏",
    "愛子",
    "美奈",
    "知子",
    "美帆",
    "有希",
    "多恵子",
    "房子",
    "富美子",
    "照子",
    "千恵",
]

# --------------------------------------------------------------------------------------------- name stems

PLACE_STEMS = _pairs("""
北海 ホッカイ 東北 トウホク 関東 カントウ 関西 カンサイ 東海 トウカイ 北陸 ホクリク 中部 チュウブ
近畿 キンキ 中国 チュウゴク 四国 シコク 九州 キュウシュウ 山陽 サンヨウ 山陰 サンイン 信州 シンシュウ
湘南 ショウナン 武蔵 ムサシ 相模 サガミ 常陸 ヒタチ 上州 ジョウシュウ 房総 ボウソウ 越後 エチゴ 加賀 カガ
尾張 オワリ 三河 ミカワ 伊勢 イセ 近江 オウミ 播磨 ハリマ 丹波 タンバ 紀州 キシュウ 阪神 ハンシン
京阪 ケイハン 南海 ナンカイ 西海 サイカイ 筑紫 ツクシ 薩摩 サツマ 肥後 ヒゴ 琉球 リュウキュウ 出雲 イズモ
吉備 キビ 土佐 トサ 伊予 イヨ 阿波 アワ 讃岐 サヌキ 甲州 コウシュウ 駿河 スルガ 遠州 エンシュウ 飛騨 ヒダ
美濃 ミノ 奥州 オウシュウ 羽州 ウシュウ 京浜 ケイヒン 京葉 ケイヨウ 城南 ジョウナン 城北 ジョウホク
湾岸 ワンガン 首都圏 シュトケン 房州 ボウシュウ 越前 エチゼン 若狭 ワカサ 但馬 タジマ 備前 ビゼン
備後 ビンゴ 長門 ナガト 周防 スオウ 豊前 ブゼン 豊後 ブンゴ 日向 ヒュウガ 大隅 オオスミ 津軽 ツガル
南部 ナンブ 庄内 ショウナイ 会津 アイヅ 磐城 イワキ 下野 シモツケ 秩父 チチブ 多摩 タマ 三浦 ミウラ
伊豆 イズ 富士 フジ 木曽 キソ 諏訪 スワ 佐渡 サド 能登 ノト 熊野 クマノ 淡路 アワジ 阿蘇 アソ
""")

CONCEPT_STEMS = _pairs("""
日本 ニホン 東洋 トウヨウ 大和 ヤマト 太陽 タイヨウ 未来 ミライ 旭 アサヒ 朝日 アサヒ 光 ヒカリ
新生 シンセイ 中央 チュウオウ 第一 ダイイチ 大同 ダイドウ 共栄 キョウエイ 協和 キョウワ 昭和 ショウワ
平成 ヘイセイ 令和 レイワ 大成 タイセイ 三栄 サンエイ 三和 サンワ 日進 ニッシン 日東 ニットウ
日新 ニッシン 明治 メイジ 大正 タイショウ 丸一 マルイチ 丸三 マルサン 山一 ヤマイチ 栄光 エイコウ
栄 サカエ 誠 マコト 信和 シンワ 信栄 シンエイ 松竹 ショウチク 千代田 チヨダ 常盤 トキワ 若葉 ワカバ
青葉 アオバ 緑 ミドリ 桜 サクラ 菊 キク 松 マツ 鶴 ツル 龍 リュウ 鳳凰 ホウオウ 白鳥 ハクチョウ
銀河 ギンガ 北斗 ホクト 昴 スバル 大地 ダイチ 大洋 タイヨウ 平和 ヘイワ 共進 キョウシン 興和 コウワ
創造 ソウゾウ 創和 ソウワ 新日本 シンニホン 全日本 ゼンニホン 東邦 トウホウ 国際 コクサイ 環境 カンキョウ
総合 ソウゴウ 東亜 トウア 太平洋 タイヘイヨウ 日興 ニッコウ 日光 ニッコウ 大栄 ダイエイ 泰平 タイヘイ
瑞穂 ミズホ 明光 メイコウ 明和 メイワ 昭栄 ショウエイ 英和 エイワ 和光 ワコウ 永和 エイワ 三洋 サンヨウ
三共 サンキョウ 三友 サンユウ 五洋 ゴヨウ 八千代 ヤチヨ 萬 ヨロズ 一心 イッシン 誠和 セイワ 清和 セイワ
正和 ショウワ 晴海 ハルミ 港 ミナト 丸の内 マルノウチ 錦 ニシキ 翼 ツバサ 希望 キボウ 夢 ユメ 匠 タクミ
結 ユイ 絆 キズナ 彩 イロドリ 光輝 コウキ 栄和 エイワ 弘和 コウワ 豊 ユタカ 豊和 ホウワ 富 トミ
寿 コトブキ 宝 タカラ 金剛 コンゴウ 大黒 ダイコク 恵比寿 エビス 不二 フジ 白山 ハクサン 立山 タテヤマ
浅間 アサマ 吾妻 アヅマ 那須 ナス 筑波 ツクバ 双葉 フタバ 三愛 サンアイ 三協 サンキョウ 大和田 オオワダ
新和 シンワ 新栄 シンエイ 日栄 ニチエイ 日成 ニッセイ 日章 ニッショウ 東光 トウコウ 東和 トウワ
西部 セイブ 南光 ナンコウ 北星 ホクセイ 大興 ダイコウ 大昭和 ダイショウワ 丸和 マルワ 丸栄 マルエイ
金星 キンセイ 明星 ミョウジョウ 旭日 キョクジツ 朝陽 チョウヨウ 千代 チヨ 万葉 マンヨウ 天竜 テンリュウ
黎明 レイメイ 飛鳥 アスカ 平安 ヘイアン 大洋州 タイヨウシュウ 中日 チュウニチ 日豊 ニッポウ 日立 ヒタチ
共和 キョウワ 協同 キョウドウ 協栄 キョウエイ 互光 ゴコウ 善光 ゼンコウ 宝来 ホウライ 蓬莱 ホウライ
""")

# Katakana stems with their English spelling.
KATAKANA_STEMS = _pairs("""
サクラ Sakura アオバ Aoba ミライ Mirai ヒカリ Hikari アサヒ Asahi ミヤビ Miyabi ヤマト Yamato
ユニオン Union グローバル Global ネクスト Next フューチャー Future サン Sun スター Star ライフ Life
ハート Heart グリーン Green ブルー Blue スマイル Smile ハッピー Happy エコ Eco テクノ Techno アース Earth
ワールド World アクア Aqua オーシャン Ocean スカイ Sky フォレスト Forest リバー River シティ City
プラス Plus ワン One ファースト First プライム Prime ベスト Best エース Ace トップ Top ロイヤル Royal
クラウン Crown ダイヤ Diamond パール Pearl ゴールド Gold シルバー Silver ブライト Bright クリエイト Create
ビジョン Vision ドリーム Dream ホープ Hope ピース Peace ハーモニー Harmony リンク Link ブリッジ Bridge
ゲート Gate ポート Port ベース Base コア Core ライズ Rise ウイング Wing フェニックス Phoenix
ペガサス Pegasus オリオン Orion アポロ Apollo アトラス Atlas ネオ Neo アルファ Alpha デルタ Delta
オメガ Omega シグマ Sigma ユニバーサル Universal インター Inter トータル Total ユナイテッド United
パシフィック Pacific アジア Asia ジャパン Japan ニッポン Nippon コスモ Cosmo ステラ Stella ルナ Luna
リーフ Leaf ガーデン Garden フラワー Flower ローズ Rose マリン Marine サニー Sunny フロンティア Frontier
パイオニア Pioneer アドバンス Advance プログレス Progress エクセル Excel スマート Smart クラウド Cloud
ロジック Logic ナビ Navi トラスト Trust セーフティ Safety クオリティ Quality ミラクル Miracle
ジョイ Joy リッチ Rich アーバン Urban リゾート Resort ビレッジ Village タウン Town エール Yell
ノース North サウス South イースト East ウエスト West センチュリー Century ミレニアム Millennium
""")

_LETTER_KANA = dict(
    zip(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        [
            "エー",
            "ビー",
            "シー",
            "ディー",
            "イー",
            "エフ",
            "ジー",
            "エイチ",
            "アイ",
            "ジェイ",
            "ケー",
            "エル",
            "エム",
            "エヌ",
            "オー",
            "ピー",
            "キュー",
            "アール",
            "エス",
            "ティー",
            "ユー",
            "ブイ",
            "ダブリュー",
            "エックス",
            "ワイ",
            "ゼット",
        ],
        strict=True,
    )
)
_FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"}


def full_width(text: str) -> str:
    """ASCII letters and digits in full width, as the National Tax Agency writes them in names."""
    return "".join(_FULL_WIDTH.get(c, c) for c in text)


# Initialisms: every two-letter pair and some common three-letter ones (written in full width, as the NTA does).
_INITIALISMS = [a + b for a in "ABCDEFGHIJKLMNOPRSTWY" for b in "ABCDEFGHIJKLMNOPRSTWY" if a != b] + [
    "ABC", "NTS", "KSK", "JTC", "TKC", "MKS", "SBS", "NKK", "TMC", "HKS", "JBS", "IST", "KDS", "NSK",
]  # fmt: skip
INITIALISM_STEMS = [(full_width(x), "".join(_LETTER_KANA[c] for c in x), x) for x in _INITIALISMS]

# ------------------------------------------------------------------------------------- business words

# Industry divisions (Japan Standard Industrial Classification, top level) used in the `industry` list.
INDUSTRY_DIVISIONS = (
    "農業、林業", "漁業", "鉱業、採石業、砂利採取業", "建設業", "製造業", "電気・ガス・熱供給・水道業",
    "情報通信業", "運輸業、郵便業", "卸売業、小売業", "金融業、保険業", "不動産業、物品賃貸業",
    "学術研究、専門・技術サービス業", "宿泊業、飲食サービス業", "生活関連サービス業、娯楽業",
    "教育、学習支援業", "医療、福祉", "複合サービス事業", "サービス業（他に分類されないもの）",
    "公務（他に分類されるものを除く）",
)  # fmt: skip
_DIV = {name: i for i, name in enumerate(INDUSTRY_DIVISIONS)}
DIV_PUBLIC = _DIV["公務（他に分類されるものを除く）"]

# Business words: written form, reading, English, industry division (short key).
_DIV_KEYS = {
    "agr": "農業、林業", "fish": "漁業", "mine": "鉱業、採石業、砂利採取業", "con": "建設業", "mfg": "製造業",
    "util": "電気・ガス・熱供給・水道業", "ict": "情報通信業", "trans": "運輸業、郵便業", "trade": "卸売業、小売業",
    "fin": "金融業、保険業", "re": "不動産業、物品賃貸業", "pro": "学術研究、専門・技術サービス業",
    "food": "宿泊業、飲食サービス業", "life": "生活関連サービス業、娯楽業", "edu": "教育、学習支援業",
    "med": "医療、福祉", "coop": "複合サービス事業", "svc": "サービス業（他に分類されないもの）",
}  # fmt: skip
_BUSINESS = """
工業 コウギョウ Industries|mfg 産業 サンギョウ Industry|mfg 興業 コウギョウ Kogyo|con 商事 ショウジ Trading|trade
商会 ショウカイ Shokai|trade 商店 ショウテン Shoten|trade 物産 ブッサン Bussan|trade 通商 ツウショウ Tsusho|trade
貿易 ボウエキ Trading|trade トレーディング トレーディング Trading|trade 建設 ケンセツ Construction|con
建工 ケンコウ Kenko|con 工務店 コウムテン Komuten|con 組 グミ Gumi|con 土木 ドボク Civil_Engineering|con
住建 ジュウケン Juken|con ハウス ハウス House|con ホーム ホーム Home|con 住宅 ジュウタク Housing|con
リフォーム リフォーム Reform|con 塗装 トソウ Painting|con 電設 デンセツ Densetsu|con 電工 デンコウ Denko|con
設備 セツビ Setsubi|con 設備工業 セツビコウギョウ Facilities|con 管工 カンコウ Kanko|con 造園 ゾウエン Landscaping|con
緑化 リョッカ Ryokka|con 防水 ボウスイ Waterproofing|con 内装 ナイソウ Interior|con 電気工事 デンキコウジ Electrical_Works|con
電機 デンキ Electric|mfg 電子 デンシ Electronics|mfg 電装 デンソウ Denso|mfg 精機 セイキ Seiki|mfg
精工 セイコウ Seiko|mfg 製作所 セイサクショ Works|mfg 鉄工所 テッコウショ Iron_Works|mfg 機械 キカイ Machinery|mfg
機工 キコウ Kiko|mfg 工機 コウキ Koki|mfg 重工 ジュウコウ Heavy_Industries|mfg 金属 キンゾク Metal|mfg
鋼業 コウギョウ Steel|mfg 化学 カガク Chemical|mfg 化成 カセイ Kasei|mfg 薬品 ヤクヒン Pharmaceutical|mfg
製薬 セイヤク Pharmaceutical|mfg 樹脂 ジュシ Plastics|mfg ゴム ゴム Rubber|mfg 硝子 ガラス Glass|mfg
窯業 ヨウギョウ Ceramics|mfg 製紙 セイシ Paper|mfg 紙業 シギョウ Paper|mfg 印刷 インサツ Printing|mfg
繊維 センイ Textile|mfg 織物 オリモノ Textile|mfg 縫製 ホウセイ Sewing|mfg 木材 モクザイ Lumber|mfg
木工 モッコウ Woodworks|mfg 家具 カグ Furniture|mfg 食品 ショクヒン Foods|mfg フーズ フーズ Foods|mfg
製菓 セイカ Confectionery|mfg 製パン セイパン Bakery|mfg 製麺 セイメン Noodle|mfg 酒造 シュゾウ Brewery|mfg
醸造 ジョウゾウ Brewing|mfg 乳業 ニュウギョウ Dairy|mfg 水産 スイサン Fisheries|fish 漁業 ギョギョウ Fishery|fish
畜産 チクサン Livestock|agr 農園 ノウエン Farm|agr ファーム ファーム Farm|agr 農産 ノウサン Agri|agr
林業 リンギョウ Forestry|agr 種苗 シュビョウ Seeds|agr 鉱業 コウギョウ Mining|mine 砕石 サイセキ Quarry|mine
石油 セキユ Oil|trade ガス ガス Gas|util エネルギー エネルギー Energy|util 電力 デンリョク Power|util
ソーラー ソーラー Solar|util 運輸 ウンユ Transport|trans 運送 ウンソウ Transport|trans 物流 ブツリュウ Logistics|trans
ロジスティクス ロジスティクス Logistics|trans 倉庫 ソウコ Warehouse|trans 海運 カイウン Shipping|trans
交通 コウツウ Kotsu|trans タクシー タクシー Taxi|trans 観光 カンコウ Tourism|trans ホテル ホテル Hotel|food
旅館 リョカン Ryokan|food トラベル トラベル Travel|life 自動車 ジドウシャ Motors|trade モータース モータース Motors|trade
オート オート Auto|trade 不動産 フドウサン Real_Estate|re 地所 ジショ Estate|re エステート エステート Estate|re
ハウジング ハウジング Housing|re 開発 カイハツ Development|re 興産 コウサン Kosan|re リース リース Lease|re
レンタル レンタル Rental|re 通信 ツウシン Communications|ict 情報システム ジョウホウシステム Information_Systems|ict
システムズ システムズ Systems|ict システム システム System|ict ソフトウェア ソフトウェア Software|ict
ソフト ソフト Soft|ict テクノロジー テクノロジー Technology|ict テクノロジーズ テクノロジーズ Technologies|ict
ネットワークス ネットワークス Networks|ict データ データ Data|ict デジタル デジタル Digital|ict
ソリューションズ ソリューションズ Solutions|ict メディア メディア Media|ict 出版 シュッパン Publishing|ict
放送 ホウソウ Broadcasting|ict 映像 エイゾウ Visual|ict ラボ ラボ Lab|pro 企画 キカク Planning|svc
プランニング プランニング Planning|svc デザイン デザイン Design|pro 設計 セッケイ Design|pro
設計事務所 セッケイジムショ Architects|pro コンサルティング コンサルティング Consulting|pro
コンサルタント コンサルタント Consultants|pro エンジニアリング エンジニアリング Engineering|pro
技研 ギケン Giken|pro 研究所 ケンキュウショ Laboratory|pro 測量 ソクリョウ Surveying|pro 広告 コウコク Advertising|pro
ホールディングス ホールディングス Holdings|pro サービス サービス Service|svc ビルサービス ビルサービス Building_Service|svc
警備保障 ケイビホショウ Security|svc 警備 ケイビ Security|svc クリーン クリーン Clean|svc
環境サービス カンキョウサービス Environmental_Services|svc スタッフ スタッフ Staff|svc マネジメント マネジメント Management|svc
キャピタル キャピタル Capital|fin ファイナンス ファイナンス Finance|fin 保険サービス ホケンサービス Insurance_Service|fin
証券 ショウケン Securities|fin インベストメント インベストメント Investment|fin 介護サービス カイゴサービス Care_Service|med
ケアサービス ケアサービス Care_Service|med メディカル メディカル Medical|med 調剤薬局 チョウザイヤッキョク Pharmacy|trade
薬局 ヤッキョク Pharmacy|trade ドラッグ ドラッグ Drug|trade ストアー ストアー Store|trade マート マート Mart|trade
スーパー スーパー Supermarket|trade 百貨店 ヒャッカテン Department_Store|trade 書店 ショテン Books|trade
酒店 サケテン Liquor|trade 米穀 ベイコク Rice|trade 青果 セイカ Produce|trade 精肉 セイニク Meat|trade
燃料 ネンリョウ Fuel|trade 産機 サンキ Sanki|trade 機材 キザイ Equipment|trade 資材 シザイ Materials|trade
建材 ケンザイ Building_Materials|trade 商工 ショウコウ Shoko|trade 電材 デンザイ Electrical_Materials|trade
事務機 ジムキ Office_Machines|trade フードサービス フードサービス Food_Service|food ダイニング ダイニング Dining|food
キッチン キッチン Kitchen|food カフェ カフェ Cafe|food 美容 ビヨウ Beauty|life ビューティー ビューティー Beauty|life
クリーニング クリーニング Cleaning|life スポーツ スポーツ Sports|life ゴルフ ゴルフ Golf|life
アミューズメント アミューズメント Amusement|life 教育 キョウイク Education|edu アカデミー アカデミー Academy|edu
ゼミナール ゼミナール Seminar|edu スクール スクール School|edu インターナショナル インターナショナル International|svc
"""


@dataclass(frozen=True)
class Word:
    written: str
    kana: str
    en: str
    division: int = -1  # index into INDUSTRY_DIVISIONS, -1 for none


def _business_words() -> list[Word]:
    tokens = _BUSINESS.split()
    words = []
    for written, kana, en_div in zip(tokens[0::3], tokens[1::3], tokens[2::3], strict=True):
        en, div = en_div.split("|")
        words.append(Word(written, kana, en.replace("_", " "), _DIV[_DIV_KEYS[div]]))
    return words


BUSINESS_WORDS = _business_words()
KATAKANA_BUSINESS_WORDS = [w for w in BUSINESS_WORDS if w.written == w.kana]


# Name endings of the other registered corporations (kind 399), by legal form: (written, kana, English).
def _endings(text: str, division: str) -> list[Word]:
    return [Word(w, k, e.replace("_", " "), _DIV[_DIV_KEYS[division]]) for w, k, e in _triples(text)]


ENDINGS = {
    "association": _endings(
        """
        協会 キョウカイ Association
        振興会 シンコウカイ Promotion_Association
        連合会 レンゴウカイ Federation
        研究会 ケンキュウカイ Study_Group
        機構 キコウ Organization
        推進協議会 スイシンキョウギカイ Promotion_Council
        センター センター Center
        工業会 コウギョウカイ Industry_Association
        """,
        "svc",
    ),
    "foundation": _endings(
        """
        財団 ザイダン Foundation
        記念財団 キネンザイダン Memorial_Foundation
        育英会 イクエイカイ Scholarship_Foundation
        研究所 ケンキュウショ Institute
        文化財団 ブンカザイダン Cultural_Foundation
        """,
        "pro",
    ),
    "medical": _endings(
        """
        会 カイ Kai
        病院 ビョウイン Hospital
        クリニック クリニック Clinic
        医院 イイン Clinic
        記念会 キネンカイ Memorial_Society
        歯科 シカ Dental
        """,
        "med",
    ),
    "welfare": _endings(
        """
        福祉会 フクシカイ Welfare_Association
        会 カイ Kai
        厚生会 コウセイカイ Kosei-kai
        福祉事業団 フクシジギョウダン Welfare_Services
        """,
        "med",
    ),
    "school": _endings(
        """
        学園 ガクエン Gakuen
        学院 ガクイン Gakuin
        大学 ダイガク University
        幼稚園 ヨウチエン Kindergarten
        """,
        "edu",
    ),
    "npo": _endings(
        """
        ネットワーク ネットワーク Network
        支援センター シエンセンター Support_Center
        まちづくり協議会 マチヅクリキョウギカイ Community_Council
        の会 ノカイ Society
        子ども食堂 コドモショクドウ Kids_Cafeteria
        """,
        "svc",
    ),
    "religious": _endings(
        """
        寺 ジ Temple
        神社 ジンジャ Shrine
        教会 キョウカイ Church
        院 イン Temple
        稲荷神社 イナリジンジャ Inari_Shrine
        八幡宮 ハチマングウ Hachimangu_Shrine
        """,
        "svc",
    ),
    "cooperative": _endings(
        """
        事業協同組合 ジギョウキョウドウクミアイ Business_Cooperative
        商工協同組合 ショウコウキョウドウクミアイ Commerce_and_Industry_Cooperative
        建設業協同組合 ケンセツギョウキョウドウクミアイ Construction_Cooperative
        商店街振興組合 ショウテンガイシンコウクミアイ Shopping_Street_Association
        農業協同組合 ノウギョウキョウドウクミアイ Agricultural_Cooperative
        信用組合 シンヨウクミアイ Credit_Cooperative
        """,
        "coop",
    ),
    "farm": _endings(
        """
        生産組合 セイサンクミアイ Producers
        営農組合 エイノウクミアイ Farming
        ファーム ファーム Farm
        """,
        "agr",
    ),
    "tax": _endings(
        """
        会計事務所 カイケイジムショ Accounting_Office
        税務会計 ゼイムカイケイ Tax_Accounting
        パートナーズ パートナーズ Partners
        """,
        "pro",
    ),
    "law": _endings(
        """
        法律事務所 ホウリツジムショ Law_Office
        総合法律事務所 ソウゴウホウリツジムショ Law_Office
        """,
        "pro",
    ),
    "scrivener": _endings(
        """
        事務所 ジムショ Office
        リーガルオフィス リーガルオフィス Legal_Office
        """,
        "pro",
    ),
    "labour": _endings(
        """
        事務所 ジムショ Office
        労務管理センター ロウムカンリセンター Labour_Management_Center
        """,
        "pro",
    ),
    "other": _endings(
        """
        自治会 ジチカイ Residents_Association
        町内会 チョウナイカイ Neighbourhood_Association
        労働組合 ロウドウクミアイ Labour_Union
        共済会 キョウサイカイ Mutual_Aid_Society
        同窓会 ドウソウカイ Alumni_Association
        管理組合 カンリクミアイ Management_Association
        """,
        "coop",
    ),
}

# Foreign companies: a katakana stem, a katakana business word and one of these forms.
FOREIGN_FORMS = [
    ("・インク", "インク", "Inc."),
    ("・エルエルシー", "エルエルシー", "LLC"),
    ("・リミテッド", "リミテッド", "Limited"),
    ("・コーポレーション", "コーポレーション", "Corporation"),
    ("・ゲーエムベーハー", "ゲーエムベーハー", "GmbH"),
    ("・エスエー", "エスエー", "S.A."),
    ("・ピーティーイー・リミテッド", "ピーティーイーリミテッド", "Pte. Ltd."),
    ("・ビーブイ", "ビーブイ", "B.V."),
]

# ----------------------------------------------------------------------------------------------- addresses

TOWNS = [
    "本町",
    "中央",
    "栄町",
    "緑町",
    "旭町",
    "幸町",
    "東町",
    "西町",
    "南町",
    "北町",
    "大手町",
    "元町",
    "新町",
    "錦町",
    "寿町",
    "宮町",
    "駅前",
    "駅南",
    "駅東",
    "昭和町",
    "大和町",
    "若葉町",
    "桜木町",
    "松原",
    "泉町",
    "港町",
    "川端町",
    "上町",
    "下町",
    "平和町",
    "本通",
    "一番町",
    "二番町",
    "三番町",
    "天神",
    "城東",
    "城西",
    "城南",
    "城北",
    "新栄",
    "八幡町",
    "稲荷町",
    "春日",
    "日の出町",
    "朝日町",
    "末広町",
    "千代田",
    "丸の内",
    "有楽町",
    "柳町",
    "田町",
    "浜町",
    "住吉町",
    "清水町",
    "桜町",
    "松が丘",
    "緑が丘",
    "希望が丘",
    "青葉台",
    "若松町",
    "高砂町",
    "相生町",
    "常盤町",
    "弥生町",
    "曙町",
    "美園",
    "宝町",
    "大通",
    "広小路",
    "本郷",
    "白山",
    "花園",
    "明神町",
    "御幸町",
    "千歳町",
    "祇園",
    "港南",
    "東雲",
    "豊町",
    "鶴見町",
    "富士見町",
    "見晴台",
    "高田町",
    "山手町",
    "中町",
    "仲町",
    "堀川町",
    "新港",
    "湊町",
    "船場",
    "今町",
    "古町",
    "石町",
    "鍛冶町",
    "紺屋町",
    "大工町",
    "呉服町",
    "魚町",
    "米町",
    "材木町",
    "鷹匠町",
    "馬場町",
    "博労町",
    "新田",
    "中島",
    "西新",
    "東山",
    "西山",
    "南台",
    "北台",
    "青山",
    "赤坂",
    "桜ケ丘",
    "駅西",
    "新開",
    "中野",
    "上野町",
    "下野町",
    "内町",
]

BUILDING_WORDS = ["ビル", "ビルディング", "センタービル", "第一ビル", "第二ビル", "会館", "プラザ", "タワー"]
