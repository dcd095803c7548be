"""Masked display forms: each form on its edge cases, and properties that bound what shows."""

from __future__ import annotations

import doctest
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gateway import masks
from gateway.masks import (
    AMOUNT_BAND_EDGES,
    COMPOUND_SURNAMES,
    MASKED_FORMS,
    MaskedForm,
    MaskFunction,
    address_district,
    amount_band,
    birth_month_day,
    card_first6_last4,
    email_first_char,
    id_first1_last1,
    id_first6_last4,
    last4,
    mask,
    mobile_first3_last4,
    name_surname,
)

digit_strings = st.text(alphabet="0123456789", min_size=1, max_size=30)
han = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
astral_han = st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF)
plain_text = st.text(
    alphabet=st.one_of(
        st.sampled_from("0123456789abcXYZ"), han, astral_han, st.sampled_from(" -+·@")
    ),
    min_size=1,
    max_size=30,
)
LENGTH_PRESERVING_FORMS = [
    card_first6_last4,
    last4,
    mobile_first3_last4,
    id_first1_last1,
    id_first6_last4,
    name_surname,
]


def visible(masked: str) -> str:
    """The letters and digits a masked value still shows."""
    return "".join(char for char in masked if char.isalnum())


def longest_visible_run(masked: str) -> int:
    return max((len(run) for run in re.split(r"\*+", masked)), default=0)


def assert_shows_only_original_characters(original: str, masked: str) -> None:
    assert len(masked) == len(original)
    for was, shown in zip(original, masked, strict=True):
        assert shown in {was, "*"}


# Registry


def test_registry_holds_every_form_under_its_stable_name() -> None:
    assert set(MASKED_FORMS) == {form.value for form in MaskedForm}
    assert MASKED_FORMS["CARD_FIRST6_LAST4"] is card_first6_last4
    assert MASKED_FORMS[MaskedForm.BIRTH_MONTH_DAY] is birth_month_day


def test_registry_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        MASKED_FORMS["LAST4"] = str.upper  # type: ignore[index]


def test_mask_applies_a_form_by_name() -> None:
    assert mask("MOBILE_FIRST3_LAST4", "13812345678") == "138****5678"


def test_mask_refuses_an_unknown_form() -> None:
    with pytest.raises(KeyError):
        mask("FIRST3", "13812345678")


@pytest.mark.parametrize("form", sorted(MASKED_FORMS))
@pytest.mark.parametrize("nothing", [None, ""])
def test_every_form_leaves_nothing_to_mask_as_it_is(form: str, nothing: str | None) -> None:
    assert MASKED_FORMS[form](nothing) == nothing


def test_docstring_examples_hold() -> None:
    results = doctest.testmod(masks, optionflags=doctest.ELLIPSIS)
    assert results.attempted > 20
    assert results.failed == 0


# Cards and accounts


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("6222021234567890123", "622202*********0123"),
        ("6222021234567890", "622202******7890"),
        ("4111111111111", "411111***1111"),
        ("6222 0212 3456 7890", "6222 02** **** 7890"),
        ("6222-0212-3456-7890-123", "6222-02**-****-***0-123"),
    ],
)
def test_card_shows_bin_and_last_four(number: str, masked: str) -> None:
    assert card_first6_last4(number) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("622202123456", "********3456"),
        ("1234567890", "******7890"),
        ("12345678", "****5678"),
        ("12345", "***45"),
        ("123", "**3"),
        ("7", "*"),
    ],
)
def test_short_card_or_account_number_shows_last_four_at_most_half(
    number: str, masked: str
) -> None:
    assert card_first6_last4(number) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [("6222021234567890", "************7890"), ("1234", "**34"), ("1", "*")],
)
def test_last4_shows_last_four_and_never_more_than_half(number: str, masked: str) -> None:
    assert last4(number) == masked


@given(digit_strings)
def test_card_shows_at_most_six_leading_and_four_trailing_digits(number: str) -> None:
    masked = card_first6_last4(number)
    assert masked is not None
    assert_shows_only_original_characters(number, masked)
    assert len(visible(masked)) <= 10
    assert longest_visible_run(masked) <= 6
    assert visible(masked[6 : max(6, len(masked) - 4)]) == ""
    if len(number) < masks.CARD_BIN_MIN_LENGTH:
        assert len(visible(masked)) <= min(4, len(number) // 2)
    else:
        assert len(number) - len(visible(masked)) >= 3


@given(digit_strings)
def test_last4_shows_only_a_trailing_run_of_at_most_four(number: str) -> None:
    masked = last4(number)
    assert masked is not None
    assert_shows_only_original_characters(number, masked)
    assert len(visible(masked)) <= min(4, len(number) // 2)
    assert masked.rstrip("0123456789") == "*" * len(masked.rstrip("0123456789"))


# Mobiles


@pytest.mark.parametrize(
    ("mobile", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+8613812345678", "+86138****5678"),
        ("+86 138 1234 5678", "+86 138 **** 5678"),
        ("008613812345678", "0086138****5678"),
        ("138-1234-5678", "138-****-5678"),
    ],
)
def test_mainland_mobile_shows_first_three_and_last_four(mobile: str, masked: str) -> None:
    assert mobile_first3_last4(mobile) == masked


@pytest.mark.parametrize(
    ("mobile", "masked"),
    [
        ("+85291234567", "+852****4567"),
        ("+852 9123 4567", "+852 **** 4567"),
        ("91234567", "****4567"),
        ("+85362345678", "+853****5678"),
        ("+886912345678", "+886*****5678"),
        ("+1 202 555 0123", "+1 *** *** 0123"),
        ("+447911123456", "+44******3456"),
        ("0085291234567", "00852****4567"),
        ("+8521234", "+852**34"),
        ("+86 21 6123 4567", "+86 ** **** 4567"),
        ("+0123456789", "+******6789"),
        ("00012345678", "*******5678"),
    ],
)
def test_non_mainland_number_keeps_country_code_and_last_four(mobile: str, masked: str) -> None:
    assert mobile_first3_last4(mobile) == masked


@pytest.mark.parametrize(("mobile", "masked"), [("12345", "***45"), ("1", "*"), ("+852", "+**2")])
def test_very_short_number_shows_at_most_half(mobile: str, masked: str) -> None:
    assert mobile_first3_last4(mobile) == masked


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
def test_mainland_mobile_always_hides_the_middle_four(mobile: str) -> None:
    masked = mobile_first3_last4(mobile)
    assert masked == f"{mobile[:3]}****{mobile[-4:]}"


@given(st.sampled_from(["", "+", "00"]), digit_strings)
def test_mobile_never_shows_more_than_seven_subscriber_digits(prefix: str, digits: str) -> None:
    assume(prefix or not digits.startswith("00"))
    number = prefix + digits
    masked = mobile_first3_last4(number)
    assert masked is not None
    assert_shows_only_original_characters(number, masked)
    country_code_digits = 0 if not prefix else len(prefix.strip("+")) + 3
    assert len(visible(masked)) <= 7 + country_code_digits
    assert len(visible(masked)) < len(visible(number))


# Identity documents


@pytest.mark.parametrize(
    ("id_number", "masked"),
    [
        ("110101199003071237", "1****************7"),
        ("11010119900307123X", "1****************X"),
        ("110101900307123", "1*************3"),
        ("E12345678", "E*******8"),
        ("G1234", "G***4"),
        ("ABC", "**C"),
        ("A1", "*1"),
        ("A", "*"),
    ],
)
def test_front_line_id_shows_first_and_last_character(id_number: str, masked: str) -> None:
    assert id_first1_last1(id_number) == masked


@pytest.mark.parametrize(
    ("id_number", "masked"),
    [
        ("310101199005171234", "310101********1234"),
        ("31010119900517123X", "310101********123X"),
        ("31010119900517123x", "310101********123x"),
        ("310101900517123", "310101******123"),
        ("E12345678", "E*******8"),
        ("H0123456701", "H*********1"),
        ("3101011990051712345", "3*****************5"),
    ],
)
def test_back_office_id_hides_the_birth_date(id_number: str, masked: str) -> None:
    assert id_first6_last4(id_number) == masked


@given(st.from_regex(r"\d{17}[\dX]", fullmatch=True))
def test_eighteen_digit_id_never_shows_birth_date_positions(id_number: str) -> None:
    masked = id_first6_last4(id_number)
    assert masked == id_number[:6] + "*" * 8 + id_number[-4:]


@given(st.from_regex(r"\d{15}", fullmatch=True))
def test_fifteen_digit_legacy_id_never_shows_birth_date_positions(id_number: str) -> None:
    masked = id_first6_last4(id_number)
    assert masked is not None
    assert masked[6:12] == "******"
    assert len(visible(masked)) == 9


@given(plain_text)
def test_id_forms_show_at_most_two_or_ten_characters(value: str) -> None:
    front_line, back_office = id_first1_last1(value), id_first6_last4(value)
    assert front_line is not None and back_office is not None
    assert_shows_only_original_characters(value, front_line)
    assert_shows_only_original_characters(value, back_office)
    assert len(visible(front_line)) <= 2
    assert len(visible(back_office)) <= 10


# Names


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张**"),
        ("欧阳娜娜", "欧阳**"),
        ("欧阳锋", "欧阳*"),
        ("诸葛亮", "诸葛*"),
        ("司马相如", "司马**"),
        ("歐陽娜娜", "歐陽**"),
        ("欧阳", "欧*"),
        ("欧伟", "欧*"),
        ("张", "*"),
        ("𠀀明", "𠀀*"),
        ("阿卜杜拉·买买提", "阿***·***"),
        ("  王五 ", "  王* "),
    ],
)
def test_chinese_name_shows_surname_and_a_star_per_character(name: str, masked: str) -> None:
    assert name_surname(name) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("John Smith", "J*** S****"),
        ("Mary-Jane O'Brien", "M***-**** O'*****"),
        ("Madonna", "M******"),
        ("J", "*"),
    ],
)
def test_latin_name_shows_initial_of_each_word(name: str, masked: str) -> None:
    assert name_surname(name) == masked


def test_compound_surnames_are_two_characters_each() -> None:
    assert len(COMPOUND_SURNAMES) > 60
    assert all(len(surname) == 2 for surname in COMPOUND_SURNAMES)


@given(st.text(alphabet=st.one_of(han, astral_han), min_size=1, max_size=8))
def test_chinese_name_shows_at_most_the_surname(name: str) -> None:
    masked = name_surname(name)
    assert masked is not None
    assert_shows_only_original_characters(name, masked)
    surname_length = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    expected_visible = surname_length if len(name) > 1 else 0
    assert masked == name[:expected_visible] + "*" * (len(name) - expected_visible)


# E-mail


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("zhang@example.cn", "z***@example.cn"),
        ("a@example.cn", "a***@example.cn"),
        ("张伟@例子.中国", "张***@例子.中国"),
        ('"a@b"@example.cn', '"***@example.cn'),
        ("@example.cn", "***@example.cn"),
        ("not-an-email", "n***"),
    ],
)
def test_email_shows_first_character_of_local_part_and_domain(email: str, masked: str) -> None:
    assert email_first_char(email) == masked


@given(st.emails())
def test_email_hides_all_of_the_local_part_but_its_first_character(email: str) -> None:
    local, _, domain = email.rpartition("@")
    assert email_first_char(email) == f"{local[0]}***@{domain}"


# Addresses


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("上海市浦东新区世纪大道100号", "上海市浦东新区****"),
        ("北京市朝阳区建国路88号", "北京市朝阳区****"),
        ("天津市滨海新区", "天津市滨海新区****"),
        ("重庆万州区高笋塘", "重庆万州区****"),
        ("广东省深圳市南山区科技园", "广东省深圳市南山区****"),
        ("江苏省苏州市昆山市玉山镇", "江苏省苏州市昆山市****"),
        ("江苏省徐州市鼓楼区中山北路", "江苏省徐州市鼓楼区****"),
        ("山东省济南市市中区经七路", "山东省济南市市中区****"),
        ("河北省唐山市路北区", "河北省唐山市路北区****"),
        ("湖南省长沙县星沙街道", "湖南省长沙县****"),
        ("新疆维吾尔自治区乌鲁木齐市天山区", "新疆维吾尔自治区乌鲁木齐市天山区****"),
        ("内蒙古自治区锡林郭勒盟西乌珠穆沁旗", "内蒙古自治区锡林郭勒盟西乌珠穆沁旗****"),
        ("四川省阿坝藏族羌族自治州汶川县映秀镇", "四川省阿坝藏族羌族自治州汶川县****"),
        ("云南省大理白族自治州大理市", "云南省大理白族自治州大理市****"),
        ("黑龙江省大兴安岭地区漠河市", "黑龙江省大兴安岭地区漠河市****"),
        ("香港特别行政区九龙城区", "香港特别行政区九龙城区****"),
        ("广东省 深圳市 南山区 科技园", "广东省 深圳市 南山区****"),
    ],
)
def test_address_keeps_down_to_the_district(address: str, masked: str) -> None:
    assert address_district(address) == masked


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("浙江省杭州市文三路90号", "浙江省杭州市****"),
        ("广东省中山市石岐街道", "广东省中山市****"),
        ("深圳市福华路商业区", "深圳市****"),
        ("上海市世纪公园小区3号", "上海市****"),
        ("世纪大道100号", "****"),
        ("Flat 3, 12 Queen's Road, Hong Kong", "****"),
        ("100号", "****"),
    ],
)
def test_address_without_a_district_keeps_less_never_more(address: str, masked: str) -> None:
    assert address_district(address) == masked


@given(plain_text)
def test_address_keeps_at_most_a_prefix_without_digits(address: str) -> None:
    masked = address_district(address)
    assert masked is not None and masked.endswith("****")
    kept = masked.removesuffix("****")
    assert address.lstrip().startswith(kept)
    assert not any(char.isdigit() for char in kept)


# Birth dates


@pytest.mark.parametrize(
    ("birth_date", "masked"),
    [
        ("1990-05-17", "--05-17"),
        ("19900517", "--05-17"),
        ("1990/5/17", "--05-17"),
        ("1990.05.17", "--05-17"),
        ("1990年5月17日", "--05-17"),
        ("1990-05-17T08:30:00+08:00", "--05-17"),
        (" 2000-02-29 ", "--02-29"),
        ("--02-29", "--02-29"),
        (date(1990, 5, 17), "--05-17"),
        (datetime(1990, 12, 1, 23, 59), "--12-01"),
    ],
)
def test_birth_date_shows_month_and_day_only(birth_date: str | date, masked: str) -> None:
    assert birth_month_day(birth_date) == masked


@pytest.mark.parametrize("birth_date", ["1990-02-30", "1990-13-01", "--13-01", "soon", "1990"])
def test_unparseable_birth_date_is_fully_masked(birth_date: str) -> None:
    assert birth_month_day(birth_date) == "****"


@given(st.dates())
def test_birth_date_never_shows_the_year(birth_date: date) -> None:
    expected = f"--{birth_date.month:02d}-{birth_date.day:02d}"
    assert birth_month_day(birth_date) == expected
    assert birth_month_day(birth_date.isoformat()) == expected


# Amount bands


@pytest.mark.parametrize(
    ("amount", "band"),
    [
        (Decimal("0"), "0–10K CNY"),
        (Decimal("9999.99"), "0–10K CNY"),
        (Decimal("10000"), "10K–50K CNY"),
        (Decimal("50000"), "50K–200K CNY"),
        (Decimal("199999.99"), "50K–200K CNY"),
        (Decimal("200000"), "200K–500K CNY"),
        (Decimal("500000"), "500K–1M CNY"),
        (Decimal("1000000"), "1M–3M CNY"),
        (Decimal("3000000"), "3M–5M CNY"),
        (Decimal("5000000"), "5M–10M CNY"),
        (Decimal("9999999.99"), "5M–10M CNY"),
        (Decimal("10000000"), "10M+ CNY"),
        (Decimal("123456789012.34"), "10M+ CNY"),
        (12_000, "10K–50K CNY"),
    ],
)
def test_amount_band_lower_bounds_are_inclusive(amount: Decimal, band: str) -> None:
    assert amount_band(amount) == band


def test_negative_amount_is_banded_by_its_size() -> None:
    assert amount_band(Decimal("-1500000")) == "1M–3M CNY"
    assert amount_band(Decimal("-0.01")) == "0–10K CNY"


def test_amount_band_names_the_currency() -> None:
    assert amount_band(Decimal("250000"), "USD") == "200K–500K USD"


def test_missing_amount_has_no_band() -> None:
    assert amount_band(None) is None


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_amount_band_refuses_non_finite_amounts(amount: Decimal) -> None:
    with pytest.raises(ValueError, match="finite"):
        amount_band(amount)


def test_band_edges_are_increasing_from_zero() -> None:
    assert AMOUNT_BAND_EDGES[0] == 0
    assert list(AMOUNT_BAND_EDGES) == sorted(set(AMOUNT_BAND_EDGES))


def _band_bounds(band: str) -> tuple[Decimal, Decimal | None]:
    def amount(text: str) -> Decimal:
        scale = {"K": 1_000, "M": 1_000_000}.get(text[-1:], 1)
        return Decimal(text.rstrip("KM")) * scale

    label = band.removesuffix(" CNY")
    if label.endswith("+"):
        return amount(label[:-1]), None
    lower, upper = label.split("–")
    return amount(lower), amount(upper)


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12))
def test_amount_lies_in_its_band(amount: Decimal) -> None:
    band = amount_band(amount)
    assert band is not None
    lower, upper = _band_bounds(band)
    assert lower <= abs(amount)
    assert upper is None or abs(amount) < upper


# Every form


@pytest.mark.parametrize("form", LENGTH_PRESERVING_FORMS)
@given(value=plain_text)
def test_length_preserving_forms_count_characters_not_bytes(form: MaskFunction, value: str) -> None:
    masked = form(value)
    assert masked is not None
    assert_shows_only_original_characters(value, masked)


@pytest.mark.parametrize("form", sorted(MASKED_FORMS))
@given(value=st.text(alphabet=st.one_of(st.sampled_from("0123456789abcX"), han), min_size=1))
def test_no_form_returns_a_value_unmasked(form: str, value: str) -> None:
    assert MASKED_FORMS[form](value) != value
