"""Masked display forms for personal financial information, each defined exactly once.

Every form is a pure function ``str | None -> str | None``: ``None`` and ``""`` come back
unchanged (nothing to mask), anything else comes back masked. Lengths and positions count
characters, never bytes. Only letters and digits are masked; separators such as spaces,
hyphens, ``+`` and the ``·`` of minority names stay where they are, so ``6222 0212 …`` keeps
its grouping. The forms are registered in ``MASKED_FORMS`` under the stable names that
appear in API responses; amounts are shown as a band by ``amount_band``.

Rules this module adds where common practice is silent:

* Values too short for a form never show more than half of their characters, and a
  one-character value is fully starred: a mask must never return the value itself.
* Card numbers show BIN + last four only from 13 characters up (the shortest payment card),
  so at least three digits stay hidden; the Luhn check digit would recover one or two.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Final

STAR: Final = "*"
FULLY_MASKED: Final = "****"
AMOUNT_BAND: Final = "AMOUNT_BAND"

MaskFunction = Callable[[str | None], str | None]


class MaskedForm(StrEnum):
    """Stable names of the masked display forms, as they appear in API responses."""

    CARD_FIRST6_LAST4 = "CARD_FIRST6_LAST4"
    LAST4 = "LAST4"
    MOBILE_FIRST3_LAST4 = "MOBILE_FIRST3_LAST4"
    ID_FIRST1_LAST1 = "ID_FIRST1_LAST1"
    ID_FIRST6_LAST4 = "ID_FIRST6_LAST4"
    NAME_SURNAME = "NAME_SURNAME"
    EMAIL_FIRST_CHAR = "EMAIL_FIRST_CHAR"
    ADDRESS_DISTRICT = "ADDRESS_DISTRICT"
    BIRTH_MONTH_DAY = "BIRTH_MONTH_DAY"


def _significant_positions(value: str) -> list[int]:
    return [index for index, char in enumerate(value) if char.isalnum()]


def _compact(value: str) -> str:
    """The letters and digits of a value, without its separators."""
    if value.isalnum():
        return value
    return "".join(value[index] for index in _significant_positions(value))


def _significant_count(value: str) -> int:
    return len(value) if value.isalnum() else len(_significant_positions(value))


def _keep_ends(value: str, head: int, tail: int) -> str:
    """Star every letter or digit except the first ``head`` and the last ``tail`` of them."""
    if value.isalnum():  # no separators: every character counts (most card and ID numbers)
        end = max(head, len(value) - tail)
        return value[:head] + STAR * (end - head) + value[end:]
    positions = _significant_positions(value)
    hidden = set(positions[head : max(head, len(positions) - tail)])
    return "".join(STAR if index in hidden else char for index, char in enumerate(value))


def _keep_tail(value: str, tail: int) -> str:
    """Keep at most ``tail`` trailing letters or digits, and never more than half of them."""
    return _keep_ends(value, 0, min(tail, _significant_count(value) // 2))


def last4(value: str | None) -> str | None:
    """Last four characters only; shorter values keep at most half.

    >>> last4("6222021234567890")
    '************7890'
    >>> last4("12345")
    '***45'
    """
    if not value:
        return value
    return _keep_tail(value, 4)


CARD_BIN_MIN_LENGTH: Final = 13


def card_first6_last4(value: str | None) -> str | None:
    """BIN (first six) and last four, stars between, same length (PCI DSS 3.4.1).

    Numbers shorter than 13 characters show the last four only.

    >>> card_first6_last4("6222021234567890123")
    '622202*********0123'
    >>> card_first6_last4("6222 0212 3456 7890")
    '6222 02** **** 7890'
    >>> card_first6_last4("1234567890")
    '******7890'
    """
    if not value:
        return value
    if _significant_count(value) < CARD_BIN_MIN_LENGTH:
        return _keep_tail(value, 4)
    return _keep_ends(value, 6, 4)


# ITU-T E.164 country codes are prefix-free: 1 and 7 are one digit, these are two, all
# others three. Enough to keep a country code visible without a full numbering plan.
_TWO_DIGIT_COUNTRY_CODES: Final = frozenset(
    """
    20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58
    60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98
    """.split()  # noqa: SIM905 - a table reads better than a column of quoted numbers
)
_MAINLAND_MOBILE: Final = re.compile(r"1\d{10}")


def _country_code_length(digits: str) -> int:
    if digits[:1] in {"1", "7"}:
        return 1
    return 2 if digits[:2] in _TWO_DIGIT_COUNTRY_CODES else 3


def mobile_first3_last4(value: str | None) -> str | None:
    """Mainland mobiles as first three + last four; any other number as its last four.

    A country code written as ``+CC`` or ``00CC`` stays visible; of the subscriber number a
    mainland mobile (11 digits starting with 1) shows 3 + 4 digits, any other number only its
    last four, and numbers shorter than eight digits at most half of their digits.

    >>> mobile_first3_last4("13812345678")
    '138****5678'
    >>> mobile_first3_last4("+86 138 1234 5678")
    '+86 138 **** 5678'
    >>> mobile_first3_last4("+85291234567")
    '+852****4567'
    >>> mobile_first3_last4("91234567")
    '****4567'
    """
    if not value:
        return value
    digits = _compact(value)
    if value.lstrip().startswith("+"):
        rest = digits
    elif digits.startswith("00"):
        rest = digits[2:]
    else:
        rest = ""
    if not rest or rest[0] not in "123456789":  # no country code starts with 0
        return _mask_subscriber(value, "", digits)
    prefix = digits[: len(digits) - len(rest) + _country_code_length(rest)]
    return _mask_subscriber(value, prefix, digits[len(prefix) :])


def _mask_subscriber(value: str, prefix: str, subscriber: str) -> str:
    if not subscriber:
        return _keep_tail(value, 4)
    if prefix in {"", "86", "0086"} and _MAINLAND_MOBILE.fullmatch(subscriber):
        return _keep_ends(value, len(prefix) + 3, 4)
    return _keep_ends(value, len(prefix), min(4, len(subscriber) // 2))


def id_first1_last1(value: str | None) -> str | None:
    """First and last character of an identity document number, for front-line roles.

    Resident IDs (18 or 15 digits), passports and permits alike; values shorter than four
    characters keep at most half, from the end.

    >>> id_first1_last1("110101199003071237")
    '1****************7'
    >>> id_first1_last1("E12345678")
    'E*******8'
    """
    if not value:
        return value
    if _significant_count(value) < 4:
        return _keep_tail(value, 1)
    return _keep_ends(value, 1, 1)


_RESIDENT_ID_18: Final = re.compile(r"\d{17}[\dXx]")
_RESIDENT_ID_15: Final = re.compile(r"\d{15}")


def id_first6_last4(value: str | None) -> str | None:
    """Region code and tail of a resident ID, hiding the birth date, for back-office roles.

    18-digit IDs (birth date at positions 7–14) show first 6 + last 4. Legacy 15-digit IDs
    (birth date at positions 7–12) show first 6 + last 3, since a last four would reveal the
    last digit of the birth day. Anything else (passports, permits) uses ``id_first1_last1``:
    its birth date position is unknown.

    >>> id_first6_last4("310101199005171234")
    '310101********1234'
    >>> id_first6_last4("31010119900517123X")
    '310101********123X'
    >>> id_first6_last4("310101900517123")
    '310101******123'
    """
    if not value:
        return value
    compact = _compact(value)
    if _RESIDENT_ID_18.fullmatch(compact):
        return _keep_ends(value, 6, 4)
    if _RESIDENT_ID_15.fullmatch(compact):
        return _keep_ends(value, 6, 3)
    return id_first1_last1(value)


# The compound surnames of the Hundred Family Surnames (百家姓), then traditional forms of
# the common ones for customers from Hong Kong, Macao and Taiwan.
COMPOUND_SURNAMES: Final = frozenset(
    """
    欧阳 太史 端木 上官 司马 东方 独孤 南宫 万俟 闻人 夏侯 诸葛 尉迟 公羊 赫连 澹台 皇甫
    宗政 濮阳 公冶 太叔 申屠 公孙 慕容 仲孙 钟离 长孙 宇文 司徒 鲜于 司空 闾丘 子车 亓官
    司寇 巫马 公西 颛孙 壤驷 公良 漆雕 乐正 宰父 谷梁 拓跋 夹谷 轩辕 令狐 段干 百里 呼延
    东郭 南门 羊舌 微生 梁丘 左丘 东门 西门 第五
    歐陽 司馬 東方 獨孤 南宮 聞人 諸葛 尉遲 澹臺 公孫 鍾離 長孫 鮮于 閭丘 顓孫 壤駟 樂正
    穀梁 軒轅 東郭 東門
    """.split()  # noqa: SIM905 - a table reads better than a column of quoted names
)


def _is_han(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH"))


def name_surname(value: str | None) -> str | None:
    """Surname in the clear, one star per remaining character.

    Chinese names keep the surname, two characters for a compound surname from
    ``COMPOUND_SURNAMES`` when a given name follows it. Other names keep the initial of
    each word (``John Smith`` -> ``J*** S****``). A one-character name is fully starred.

    >>> name_surname("张三丰")
    '张**'
    >>> name_surname("欧阳锋")
    '欧阳*'
    >>> name_surname("John Smith")
    'J*** S****'
    """
    if not value:
        return value
    positions = _significant_positions(value)
    if len(positions) <= 1:
        return _keep_ends(value, 0, 0)
    first_two = "".join(value[index] for index in positions[:2])
    if _is_han(first_two[0]):
        is_compound = first_two in COMPOUND_SURNAMES and len(positions) > 2
        return _keep_ends(value, 2 if is_compound else 1, 0)
    return "".join(_keep_ends(word, 1, 0) for word in re.split(r"(\s+)", value))


def email_first_char(value: str | None) -> str | None:
    """First character of the local part, a fixed ``***`` for the rest, domain in the clear.

    The fixed run of stars hides the length of the local part. A value without ``@`` is
    treated as a bare local part.

    >>> email_first_char("zhang@example.cn")
    'z***@example.cn'
    """
    if not value:
        return value
    local, at, domain = value.rpartition("@")
    if not at:
        local, domain = value, ""
    return f"{local[:1]}***{at}{domain}"


_HAN: Final = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
# Street words never appear past the first character of a place name (路北区 does), so a
# missing district cannot drag a street into the kept prefix.
_STREET_WORDS: Final = "路街巷弄号村"


def _place(max_length: int) -> str:
    """Pattern for a place name of 1 to ``max_length`` Han characters, shortest first."""
    return rf"{_HAN}(?:(?![{_STREET_WORDS}]){_HAN}){{0,{max_length - 1}}}?"


_PROVINCE: Final = rf"{_place(5)}(?:省|自治区|特别行政区)"
_PREFECTURE: Final = rf"(?:{_place(10)}自治州|{_place(4)}(?:市|州|盟|地区))"
_DISTRICT: Final = (
    rf"(?:{_place(15)}(?:自治县|自治旗)|{_place(9)}旗|{_place(8)}(?:新区|开发区)"
    rf"|{_place(4)}(?:区|县|市))"
)
_ADDRESS_DOWN_TO_DISTRICT: Final = re.compile(
    rf"\s*(?:{_PROVINCE}\s*)?(?:{_PREFECTURE}\s*)?{_DISTRICT}"
)


def address_district(value: str | None) -> str | None:
    """A Chinese address down to its district, county, banner or county-level city.

    Levels: province 省/自治区/特别行政区 (or a municipality 市), prefecture 市/州/盟/地区,
    then district 区/县/旗/市. Without a recognisable district nothing is kept.

    >>> address_district("上海市浦东新区世纪大道100号")
    '上海市浦东新区****'
    >>> address_district("内蒙古自治区锡林郭勒盟西乌珠穆沁旗巴拉嘎尔高勒镇")
    '内蒙古自治区锡林郭勒盟西乌珠穆沁旗****'
    >>> address_district("Flat 3, 12 Queen's Road")
    '****'
    """
    if not value:
        return value
    match = _ADDRESS_DOWN_TO_DISTRICT.match(value)
    kept = match.group().strip() if match else ""
    return kept + FULLY_MASKED


_SEPARATED_DATE: Final = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_MONTH_DAY: Final = re.compile(r"--(\d{2})-(\d{2})")


def _parse_birth_date(value: str) -> date | None:
    text = value.strip()
    if match := _MONTH_DAY.fullmatch(text):
        year, month, day = "2000", *match.groups()  # any leap year, so --02-29 survives
    elif match := _SEPARATED_DATE.match(text):
        year, month, day = match.groups()
    else:
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def birth_month_day(value: str | date | None) -> str | None:
    """Month and day of a birth date in ISO 8601 ``--MM-DD`` form; the year never shows.

    Accepts a ``date``, a ``datetime`` or a string such as ``1990-05-17``, ``19900517``,
    ``1990/5/17`` or ``1990年5月17日``. An unparseable value is fully masked.

    >>> birth_month_day("1990-05-17")
    '--05-17'
    >>> birth_month_day(date(1990, 5, 17))
    '--05-17'
    """
    if value is None:
        return None
    if value == "":
        return ""
    parsed = value if isinstance(value, date) else _parse_birth_date(value)
    return f"--{parsed:%m-%d}" if parsed else FULLY_MASKED


AMOUNT_BAND_EDGES: Final[tuple[Decimal, ...]] = tuple(
    Decimal(edge)
    for edge in (0, 10_000, 50_000, 200_000, 500_000, 1_000_000, 3_000_000, 5_000_000, 10_000_000)
)


def _short_amount(edge: Decimal) -> str:
    for size, suffix in ((Decimal(1_000_000), "M"), (Decimal(1_000), "K")):
        if edge >= size:
            return f"{edge / size:f}{suffix}"
    return f"{edge:f}"


def amount_band(amount: Decimal | int | None, currency: str = "CNY") -> str | None:
    """The band of ``AMOUNT_BAND_EDGES`` an amount falls in, lower bound inclusive.

    Negative amounts (loans, overdrafts, outflows) are banded by their absolute value: the
    band shows size, and the sign is rarely sensitive once the size is hidden. Edges are in
    units of ``currency``; convert first to band across currencies.

    >>> amount_band(Decimal("1500000"))
    '1M–3M CNY'
    >>> amount_band(Decimal("10000"), "USD")
    '10K–50K USD'
    >>> amount_band(Decimal("-25000000.50"))
    '10M+ CNY'
    """
    if amount is None:
        return None
    size = abs(Decimal(amount))
    if not size.is_finite():
        raise ValueError("an amount band needs a finite amount")
    index = bisect_right(AMOUNT_BAND_EDGES, size) - 1
    lower = _short_amount(AMOUNT_BAND_EDGES[index])
    if index + 1 == len(AMOUNT_BAND_EDGES):
        return f"{lower}+ {currency}"
    return f"{lower}–{_short_amount(AMOUNT_BAND_EDGES[index + 1])} {currency}"


MASKED_FORMS: Final[Mapping[str, MaskFunction]] = MappingProxyType(
    {
        MaskedForm.CARD_FIRST6_LAST4: card_first6_last4,
        MaskedForm.LAST4: last4,
        MaskedForm.MOBILE_FIRST3_LAST4: mobile_first3_last4,
        MaskedForm.ID_FIRST1_LAST1: id_first1_last1,
        MaskedForm.ID_FIRST6_LAST4: id_first6_last4,
        MaskedForm.NAME_SURNAME: name_surname,
        MaskedForm.EMAIL_FIRST_CHAR: email_first_char,
        MaskedForm.ADDRESS_DISTRICT: address_district,
        MaskedForm.BIRTH_MONTH_DAY: birth_month_day,
    }
)


def mask(form: str, value: str | None) -> str | None:
    """Apply the masked form named ``form``; an unknown name raises ``KeyError``."""
    return MASKED_FORMS[form](value)
