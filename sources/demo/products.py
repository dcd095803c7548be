"""The wealth shelf: funds, bank wealth products, insurance and bonds, with daily NAV history.

Some products launched in the last two weeks, some mature within the next month, and a few
risky funds moved by more than 5% over the last month, so every kind of care has examples.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from random import Random

from sources.demo.vocabulary import words

NAV_HISTORY_DAYS = 365
_DRIFT = {1: 0.00007, 2: 0.0001, 3: 0.00015, 4: 0.0002, 5: 0.0002}
_VOLATILITY = {1: 0.00003, 2: 0.0006, 3: 0.003, 4: 0.006, 5: 0.009}

FUND_HOUSES = words(
    "华夏 易方达 南方 嘉实 广发 汇添富 富国 博时 招商 工银瑞信 中欧 景顺长城 兴证全球"
)
FUND_THEMES = (
    ("货币", 1, "A"),
    ("纯债", 2, "债券A"),
    ("短债", 2, "债券C"),
    ("稳健增利", 2, "债券A"),
    ("双债增强", 3, "债券"),
    ("平衡配置", 3, "混合A"),
    ("价值精选", 4, "混合"),
    ("成长优选", 4, "混合A"),
    ("沪深300", 4, "指数增强A"),
    ("中证500", 4, "ETF联接A"),
    ("消费升级", 4, "股票"),
    ("医疗健康", 5, "股票A"),
    ("新能源车", 5, "股票"),
    ("半导体", 5, "ETF联接C"),
    ("科技创新", 5, "混合"),
    ("恒生科技", 5, "QDII-ETF联接"),
)
WEALTH_SERIES = (("稳盈", 2), ("季季享", 2), ("半年盈", 2), ("年年鑫", 3), ("睿远", 3), ("臻享", 3))
INSURANCE = (
    ("鑫福年金保险（分红型）", 1),
    ("安享终身寿险（万能型）", 2),
    ("康泰两全保险", 1),
    ("金越投资连结保险", 4),
    ("福禄双全年金保险", 2),
    ("智选稳健投连险", 3),
)
BONDS = (
    ("记账式附息国债", 1),
    ("国家开发银行金融债", 1),
    ("上海市地方政府债", 2),
    ("深圳市地方政府专项债", 2),
    ("中国铁路建设债", 2),
    ("优质企业债精选", 3),
    ("可转债增强", 4),
)
NUMERALS = "一二三四五六七八九十"


@dataclass
class Product:
    code: str
    name: str
    product_type: str
    risk_level: int
    currency: str
    term_days: int | None
    launch_date: dt.date
    maturity_date: dt.date | None
    status: str
    nav_start: dt.date = field(init=False)
    navs: list[Decimal] = field(default_factory=list)
    swung: bool = False

    def nav_on(self, day: dt.date) -> Decimal:
        """The NAV of the latest day on or before ``day`` (the launch NAV before history)."""
        index = min(max((day - self.nav_start).days, 0), len(self.navs) - 1)
        return self.navs[index]

    def row(self) -> dict[str, object]:
        return {
            "product_code": self.code,
            "product_name": self.name,
            "product_type": self.product_type,
            "risk_level": self.risk_level,
            "currency": self.currency,
            "term_days": self.term_days,
            "launch_date": self.launch_date,
            "maturity_date": self.maturity_date,
            "status": self.status,
        }

    def nav_rows(self) -> list[dict[str, object]]:
        return [
            {"product_code": self.code, "nav_date": self.nav_start + dt.timedelta(days=i), "nav": v}
            for i, v in enumerate(self.navs)
        ]


def build_shelf(rng: Random, as_of: dt.date) -> list[Product]:
    """Between 40 and 80 products covering every type and risk level R1–R5."""
    codes: set[str] = set()

    def code(prefix: str, digits: int) -> str:
        while True:
            candidate = prefix + f"{rng.randrange(10**digits):0{digits}d}"
            if candidate not in codes:
                codes.add(candidate)
                return candidate

    shelf: list[Product] = []

    def add(
        kind: str, name: str, risk: int, currency: str, term: int | None, launch: dt.date
    ) -> None:
        prefix = {"MUTUAL_FUND": "", "WEALTH": "WM", "INSURANCE": "IN", "BOND": "BD"}[kind]
        maturity = launch + dt.timedelta(days=term) if term and kind != "INSURANCE" else None
        closed_end = maturity is not None and (as_of - launch).days > 30
        status = "CLOSED" if closed_end else "ON_SALE"
        shelf.append(
            Product(code(prefix, 6), name, kind, risk, currency, term, launch, maturity, status)
        )

    def old_launch(term: int | None) -> dt.date:
        earliest = 5 * 365 if term is None else min(term - 31, 5 * 365)
        return as_of - dt.timedelta(days=rng.randint(20, max(earliest, 21)))

    for theme, risk, share_class in rng.sample(FUND_THEMES, len(FUND_THEMES)):
        for house in rng.sample(FUND_HOUSES, rng.randint(1, 2)):
            add("MUTUAL_FUND", f"{house}{theme}{share_class}", risk, "CNY", None, old_launch(None))
    for house in rng.sample(FUND_HOUSES, 2):
        add("MUTUAL_FUND", f"{house}全球科技QDII（美元现汇）", 5, "USD", None, old_launch(None))
    add(
        "MUTUAL_FUND",
        f"{rng.choice(FUND_HOUSES)}美元债QDII（美元）",
        3,
        "USD",
        None,
        old_launch(None),
    )

    for series, risk in WEALTH_SERIES:
        for term in rng.sample((91, 182, 365, 730), 2):
            issue = rng.randint(1, 52)
            add(
                "WEALTH",
                f"{series}{term}天{as_of.year}年第{issue}期",
                risk,
                "CNY",
                term,
                old_launch(term),
            )
    add("WEALTH", "天天利现金管理", 1, "CNY", None, old_launch(None))
    add("WEALTH", "权益增强一年持有期", 4, "CNY", 365, old_launch(365))
    add("WEALTH", "美元稳享180天", 2, "USD", 182, old_launch(182))
    for insurance, risk in INSURANCE:
        add("INSURANCE", insurance, risk, "CNY", rng.choice((3650, 7300)), old_launch(None))
    for bond, risk in BONDS:
        term = rng.choice((1095, 1825, 3650))
        number = NUMERALS[rng.randrange(10)]
        add("BOND", f"{as_of.year - 1}年{bond}（{number}期）", risk, "CNY", term, old_launch(term))

    _add_new_and_maturing(rng, as_of, add)
    for product in shelf:
        _nav_history(rng, product, as_of)
    swingable = [p for p in shelf if p.risk_level >= 4 and p.term_days is None and len(p.navs) > 60]
    for product in rng.sample(swingable, 4):
        _swing(rng, product, as_of)
    return shelf


def _add_new_and_maturing(rng: Random, as_of: dt.date, add: Callable[..., None]) -> None:
    for issue, (series, risk, term) in enumerate(
        (("稳盈", 2, 91), ("臻享", 3, 365), ("睿远", 3, 182), ("新启航", 4, 365)), start=60
    ):
        launch = as_of - dt.timedelta(days=rng.randint(0, 13))
        add(
            "WEALTH",
            f"{series}{term}天{as_of.year}年第{issue}期（新发）",
            risk,
            "CNY",
            term,
            launch,
        )
    add(
        "MUTUAL_FUND",
        f"{rng.choice(FUND_HOUSES)}红利低波混合A（新发）",
        3,
        "CNY",
        None,
        as_of - dt.timedelta(days=rng.randint(0, 13)),
    )
    for series, risk, term in (("季季享", 2, 91), ("半年盈", 2, 182), ("年年鑫", 3, 365)):
        maturity = as_of + dt.timedelta(days=rng.randint(1, 30))
        add(
            "WEALTH",
            f"{series}{term}天（即将到期）",
            risk,
            "CNY",
            term,
            maturity - dt.timedelta(days=term),
        )
    maturity = as_of + dt.timedelta(days=rng.randint(1, 30))
    add(
        "BOND",
        f"{as_of.year - 3}年记账式附息国债（到期）",
        1,
        "CNY",
        1095,
        maturity - dt.timedelta(days=1095),
    )


def _nav_history(rng: Random, product: Product, as_of: dt.date) -> None:
    product.nav_start = max(product.launch_date, as_of - dt.timedelta(days=NAV_HISTORY_DAYS))
    days = (as_of - product.nav_start).days + 1
    drift, volatility = _DRIFT[product.risk_level], _VOLATILITY[product.risk_level]
    level, values = 0.0, []
    for i in range(days):
        if i:
            level += drift + rng.gauss(0, volatility)
        values.append(math.exp(level))
    product.navs = [Decimal(f"{v:.4f}") for v in values]


def _swing(rng: Random, product: Product, as_of: dt.date) -> None:
    """Bend the last 30 days so the NAV moved 7–12% (up or down) over the month."""
    navs = [float(v) for v in product.navs]
    current = navs[-1] / navs[-31] - 1
    wanted = rng.choice((-1, 1)) * rng.uniform(0.07, 0.12)
    bend = math.log(1 + wanted) - math.log(1 + current)
    for k in range(1, 31):
        navs[-31 + k] *= math.exp(bend * k / 30)
    product.navs = product.navs[:-30] + [Decimal(f"{v:.4f}") for v in navs[-30:]]
    product.swung = True
