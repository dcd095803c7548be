"""Who a customer is on paper: Chinese names, resident IDs, passports, mobiles, card numbers.

Numbers that must be unique bank-wide (mobiles, cards, account numbers) are derived from a
sequence number through an affine bijection, so they look random yet never collide.
"""

from __future__ import annotations

import datetime as dt
from random import Random

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
    "魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛段雷龙黎史陶贺毛郝顾龚邵"
    "万钱戴严莫孔向常汤康易乔赖文施洪"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "慕容", "令狐")
GIVEN_MALE = (
    "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳建国峰文博志海东晨轩睿泽然"
)
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲英燕萍红琳婷雪慧颖倩洁莉琴云梅欣悦佳怡雨涵萱诗梦晓思"

TRADITIONAL = str.maketrans(
    "陈刘张杨黄赵吴孙马郑谢韩冯邓叶苏吕卢钟陆龙伟强军杰涛辉鹏华飞宁国东丽艳红颖洁云晓梦诗凯帅阳轩泽"
    "欧阳马诸",
    "陳劉張楊黃趙吳孫馬鄭謝韓馮鄧葉蘇呂盧鍾陸龍偉強軍傑濤輝鵬華飛寧國東麗艷紅穎潔雲曉夢詩凱帥陽軒澤"
    "歐陽馬諸",
)
HOMOPHONES = dict(
    zip("明伟丽军杰华静敏婷涛强芳娜平海", "铭玮莉君洁骅靖民亭韬蔷方纳萍浩", strict=True)
)

FOREIGN_NAMES = {
    "M": (
        "JOHN SMITH",
        "DAVID BROWN",
        "MICHAEL LEE",
        "JAMES TAYLOR",
        "PIERRE DUBOIS",
        "MINJUN KIM",
        "LUCAS SILVA",
    ),
    "F": ("EMMA WILSON", "SOPHIE MARTIN", "ANNA MUELLER", "YUKI TANAKA", "OLIVIA CLARKE"),
}

MAINLAND_PREFIXES = (
    ("139", 9),
    ("138", 9),
    ("137", 6),
    ("136", 6),
    ("135", 6),
    ("150", 5),
    ("151", 4),
    ("152", 4),
    ("158", 5),
    ("159", 5),
    ("182", 4),
    ("183", 3),
    ("187", 4),
    ("188", 4),
    ("130", 4),
    ("131", 3),
    ("132", 3),
    ("155", 3),
    ("156", 3),
    ("185", 4),
    ("186", 5),
    ("133", 3),
    ("153", 3),
    ("180", 3),
    ("181", 3),
    ("189", 4),
    ("199", 3),
    ("177", 2),
    ("166", 2),
    ("176", 2),
    ("173", 2),
    ("178", 2),
    ("157", 1),
    ("147", 1),
)
DEBIT_BINS = ("622202", "621700", "622848", "623668", "621226", "621483", "622609")
CREDIT_BINS = ("625807", "625808", "524090", "518710", "438088", "628288")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def chinese_name(rng: Random, gender: str, surname: str | None = None) -> str:
    """A surname (now and then a compound one) and one or two given characters."""
    if surname is None:
        compound = rng.random() < 0.015
        surname = rng.choice(COMPOUND_SURNAMES) if compound else rng.choice(SURNAMES)
    pool = GIVEN_MALE if gender == "M" else GIVEN_FEMALE
    if rng.random() < 0.25:
        return surname + rng.choice(pool)
    return surname + rng.choice(pool) + rng.choice(pool + GIVEN_MALE[:10] + GIVEN_FEMALE[:10])


def surname_of(name: str) -> str:
    """The surname of a Chinese name (compound surnames included)."""
    return name[:2] if name[:2] in COMPOUND_SURNAMES else name[:1]


def traditional_variant(name: str) -> str | None:
    """The name in traditional characters, or None when it reads the same."""
    variant = name.translate(TRADITIONAL)
    return variant if variant != name else None


def typo_variant(rng: Random, name: str) -> str:
    """The name with one given character mistyped as a homophone (or a neighbour)."""
    for i in range(len(name) - 1, 0, -1):
        if name[i] in HOMOPHONES:
            return name[:i] + HOMOPHONES[name[i]] + name[i + 1 :]
    replacement = rng.choice([c for c in GIVEN_MALE + GIVEN_FEMALE if c != name[-1]])
    return name[:-1] + replacement


def id_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of an 18-digit resident ID (GB 11643-1999)."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def resident_id(area: str, birth: dt.date, sequence: int) -> str:
    """An 18-digit resident ID; ``sequence`` is 0..999, odd for men, even for women."""
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


def legacy_resident_id(area: str, birth: dt.date, sequence: int) -> str:
    """A first-generation 15-digit resident ID (two-digit year, no check character)."""
    return f"{area}{birth:%y%m%d}{sequence:03d}"


def id_sequence(rng: Random, gender: str) -> int:
    """A 3-digit order code whose last digit is odd for men and even for women."""
    return rng.randrange(0, 500) * 2 + (1 if gender == "M" else 0)


def passport_no(rng: Random, hong_kong: bool) -> str:
    """A passport number: HKSAR style (K + 8 digits) or a foreign two letters + 7 digits."""
    if hong_kong:
        return f"K{rng.randrange(10**8):08d}"
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    return rng.choice(letters) + rng.choice(letters) + f"{rng.randrange(10**7):07d}"


def _scramble(n: int, modulus: int, multiplier: int, offset: int) -> int:
    return (n * multiplier + offset) % modulus


def mainland_mobile(rng: Random, serial: int) -> str:
    """An 11-digit mainland mobile; the last 8 digits are unique per ``serial``."""
    prefix = rng.choices(_PREFIXES, _PREFIX_WEIGHTS)[0]
    return prefix + f"{_scramble(serial, 10**8, 14_348_907, 27_182_818):08d}"


def hong_kong_mobile(serial: int) -> str:
    """A Hong Kong mobile in E.164 form: +852 and 8 digits starting 5, 6 or 9."""
    body = _scramble(serial, 10**7, 4_782_969, 3_141_592)
    return f"+852{'569'[serial % 3]}{body:07d}"


def luhn_check_digit(payload: str) -> str:
    """The digit that makes ``payload`` + digit pass the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def debit_card_no(rng: Random, acct_id: int) -> str:
    """A 19-digit UnionPay debit card number, unique per account id."""
    body = f"{_scramble(acct_id, 10**12, 7_310_023_687, 104_729_562_211):012d}"
    payload = rng.choice(DEBIT_BINS) + body
    return payload + luhn_check_digit(payload)


def credit_card_no(rng: Random, acct_id: int) -> str:
    """A 16-digit credit card number, unique per account id."""
    body = f"{_scramble(acct_id, 10**9, 387_420_489, 123_456_789):09d}"
    payload = rng.choice(CREDIT_BINS) + body
    return payload + luhn_check_digit(payload)


def account_no(branch_number: int, product_code: int, acct_id: int) -> str:
    """A 17-digit account number: branch (4), product (2), serial (10), Luhn digit."""
    serial = _scramble(acct_id, 10**10, 3_486_784_401, 2_718_281_828)
    payload = f"{branch_number:04d}{product_code:02d}{serial:010d}"
    return payload + luhn_check_digit(payload)


_PREFIXES = [p for p, _ in MAINLAND_PREFIXES]
_PREFIX_WEIGHTS = [w for _, w in MAINLAND_PREFIXES]
