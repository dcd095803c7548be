"""The relationship practice's answers on the demo bank, computed from raw rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from gateway.config import DEFAULT_HOLIDAYS
from resolvers.ids import global_id
from sources import Sources
from sources.crm import tables as crm
from sources.wealth import tables as wealth
from tests.expected import RawBank
from tests.raw import rows

TOP_TIER_FLOOR = Decimal(3_000_000)
HOLIDAYS: dict[str, list[str]] = defaultdict(list)
for _holiday in DEFAULT_HOLIDAYS:
    HOLIDAYS[_holiday.split(":")[0]].append(_holiday.split(":")[1])
GOLD_FLOOR = Decimal(200_000)


@dataclass
class PracticeBank:
    """The raw bank plus the rows the practice reads that RawBank leaves out."""

    raw: RawBank
    today: date
    products: dict[str, Any]
    navs: list[Any]
    assessments: dict[str, Any]

    @classmethod
    async def read(cls, sources: Sources, today: date) -> PracticeBank:
        latest: dict[str, Any] = {}
        for a in sorted(
            await rows(sources, crm.risk_assessment), key=lambda a: (a.assessed_on, a.assessment_id)
        ):
            latest[a.cust_no] = a
        return cls(
            raw=await RawBank.read(sources, today),
            today=today,
            products={p.product_code: p for p in await rows(sources, wealth.product)},
            navs=await rows(sources, wealth.nav),
            assessments=latest,
        )

    def book(self, rm_id: str) -> set[str]:
        return {c for c, a in self.raw.assignments.items() if a.rm_id == rm_id}

    def nav_on(self, code: str, day: date) -> Decimal | None:
        points = [n for n in self.navs if n.product_code == code and n.nav_date <= day]
        return Decimal(max(points, key=lambda n: n.nav_date).nav) if points else None

    def held(self, cust_no: str) -> set[str]:
        units: dict[str, Decimal] = defaultdict(Decimal)
        for h in self.raw.holdings:
            if h.cust_no == cust_no:
                units[h.product_code] += Decimal(h.units)
        return {code for code, u in units.items() if u > 0}

    def branch_counts(self, cust_no: str) -> dict[str, tuple[int, datetime]]:
        """Transactions per branch over the last 12 months and the latest of them."""
        since = datetime.combine(self.today.replace(year=self.today.year - 1), datetime.min.time())
        counts: dict[str, tuple[int, datetime]] = {}
        for t in self.raw.transactions:
            if t.cust_no == cust_no and t.booked_at >= since:
                n, latest = counts.get(t.branch_code, (0, datetime.min))
                counts[t.branch_code] = (n + 1, max(latest, t.booked_at))
        return counts

    def suggested_branch(self, cust_no: str) -> str | None:
        counts = self.branch_counts(cust_no)
        if not counts:
            return None
        return max(sorted(counts, reverse=True), key=lambda b: counts[b])

    def agenda(self, rm_id: str, start: date, end: date) -> set[tuple[str, str, date, str | None]]:
        """(customer, reason, due day) of every agenda item of an RM's book.

        Holidays are the default configuration's.
        """
        found: set[tuple[str, str, date, str | None]] = set()
        totals = self.raw.total_assets()
        book = self.book(rm_id)

        def within(day: date | None) -> bool:
            return day is not None and start <= day <= end

        def recurrences(day: date) -> list[date]:
            out = []
            for year in range(start.year, end.year + 1):
                try:
                    when = day.replace(year=year)
                except ValueError:
                    when = date(year, 2, 28)
                if within(when):
                    out.append(when)
            return out

        for a in self.raw.accounts:
            if (
                a.cust_no in book
                and a.product_type == "TIME_DEPOSIT"
                and a.status != "CLOSED"
                and within(a.maturity_date)
            ):
                found.add(
                    (
                        a.cust_no,
                        "TIME_DEPOSIT_MATURING",
                        a.maturity_date,
                        global_id("Account", a.acct_id),
                    )
                )
        swing_day = min(end, self.today)
        for c in book:
            held = self.held(c)
            for code in held:
                p = self.products[code]
                if within(p.maturity_date):
                    found.add((c, "PRODUCT_MATURING", p.maturity_date, code))
                now, before = (
                    self.nav_on(code, swing_day),
                    self.nav_on(code, swing_day - timedelta(days=30)),
                )
                if now is not None and before and abs(now / before - 1) > Decimal("0.05"):
                    found.add((c, "NAV_SWING", max(start, swing_day), code))
            a = self.assessments.get(c)
            if a is not None and a.expires_on >= self.today:
                news = []
                for p in self.products.values():
                    due = max(p.launch_date, start)
                    if (
                        p.status == "ON_SALE"
                        and p.risk_level <= a.investor_type
                        and p.product_code not in held
                        and p.launch_date <= self.today
                        and within(due)
                        and (due - p.launch_date).days <= 30
                    ):
                        news.append((self.preference_rank(c, p), -p.launch_date.toordinal(), p))
                if news:  # one per customer: stated preference first, then the newest
                    best = min(news, key=lambda n: (n[0], n[1], n[2].product_code))[2]
                    found.add(
                        (c, "NEW_SUITABLE_PRODUCT", max(best.launch_date, start), best.product_code)
                    )
            for when in recurrences(self.raw.parties[c].birth_date):
                found.add((c, "BIRTHDAY", when, None))
            profile = self.raw.profiles.get(c)
            if profile is not None and profile.wedding_anniversary is not None:
                for when in recurrences(profile.wedding_anniversary):
                    found.add((c, "WEDDING_ANNIVERSARY", when, None))
            total = totals.get(c, Decimal(0))
            day = start
            while day <= end:
                if total >= TOP_TIER_FLOOR and (day + timedelta(days=1)).day == 1:
                    kind = {12: "YEAR_END", 3: "QUARTER_END", 6: "QUARTER_END", 9: "QUARTER_END"}
                    found.add((c, kind.get(day.month, "MONTH_END"), day, None))
                for name in HOLIDAYS.get(day.strftime("%m-%d"), []) + HOLIDAYS.get(
                    day.isoformat(), []
                ):
                    if total >= GOLD_FLOOR:
                        found.add((c, "HOLIDAY", day, name))
                day += timedelta(days=1)
        return found

    def preference_rank(self, cust_no: str, product: Any) -> int:
        profile = self.raw.profiles.get(cust_no)
        text = (profile.product_preferences if profile is not None else None) or ""
        prefs = [p.strip() for p in text.split(",") if p.strip()]
        return prefs.index(product.product_type) if product.product_type in prefs else len(prefs)

    def contacted(self, cust_no: str, care_type: str, since: date) -> bool:
        return any(
            c.cust_no == cust_no and c.care_type == care_type and c.contacted_at.date() >= since
            for c in self.raw.contacts
        )
