"""What the gateway should answer, computed by the tests straight from the raw rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sources import Sources
from sources.core import tables as core
from sources.crm import tables as crm
from sources.wealth import tables as wealth
from tests.raw import rows

CENT = Decimal("0.01")


@dataclass
class RawBank:
    """Every row of the demo bank, indexed the way the tests need them."""

    parties: dict[str, Any]
    profiles: dict[str, Any]
    assignments: dict[str, Any]
    accounts: list[Any]
    transactions: list[Any]
    holdings: list[Any]
    family: list[Any]
    contacts: list[Any]
    complaints: list[Any]
    rates: dict[str, Decimal]
    navs: dict[str, Decimal]
    product_currency: dict[str, str]

    @classmethod
    async def read(cls, sources: Sources, today: date) -> RawBank:
        rates: dict[str, tuple[date, Decimal]] = {}
        for r in await rows(sources, core.fx_rate, core.fx_rate.c.rate_date <= today):
            if r.currency not in rates or r.rate_date > rates[r.currency][0]:
                rates[r.currency] = (r.rate_date, Decimal(r.cny_per_unit))
        navs: dict[str, tuple[date, Decimal]] = {}
        for n in await rows(sources, wealth.nav, wealth.nav.c.nav_date <= today):
            if n.product_code not in navs or n.nav_date > navs[n.product_code][0]:
                navs[n.product_code] = (n.nav_date, Decimal(n.nav))
        return cls(
            parties={p.cust_no: p for p in await rows(sources, core.party)},
            profiles={p.cust_no: p for p in await rows(sources, crm.profile)},
            assignments={a.cust_no: a for a in await rows(sources, crm.assignment)},
            accounts=await rows(sources, core.account),
            transactions=await rows(sources, core.transaction),
            holdings=await rows(sources, wealth.holding),
            family=await rows(sources, crm.family_member),
            contacts=await rows(sources, crm.contact),
            complaints=await rows(sources, crm.complaint),
            rates={c: v for c, (_d, v) in rates.items()} | {"CNY": Decimal(1)},
            navs={code: v for code, (_d, v) in navs.items()},
            product_currency={
                p.product_code: p.currency for p in await rows(sources, wealth.product)
            },
        )

    def market_value(self, holding: Any) -> Decimal:
        return (Decimal(holding.units) * self.navs[holding.product_code]).quantize(CENT)

    def market_value_cny(self, holding: Any) -> Decimal:
        rate = self.rates[self.product_currency[holding.product_code]]
        return (self.market_value(holding) * rate).quantize(CENT)

    def total_assets(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for a in self.accounts:
            if a.product_type in ("CURRENT", "TIME_DEPOSIT") and a.status != "CLOSED":
                totals[a.cust_no] += Decimal(a.balance) * self.rates[a.currency]
        for h in self.holdings:
            totals[h.cust_no] += self.market_value_cny(h)
        return {c: v.quantize(CENT) for c, v in totals.items()}

    def merged(self, cust_no: str, column: str) -> Any:
        """The survivor of a contact attribute: the most recent, the core system's on a tie."""
        party, profile = self.parties[cust_no], self.profiles.get(cust_no)
        core_value = getattr(party, column)
        crm_value = getattr(profile, column) if profile else None
        if not crm_value:
            return core_value
        if not core_value:
            return crm_value
        crm_at = getattr(profile, f"{column}_updated_at")
        core_at = getattr(party, f"{column}_updated_at")
        if crm_at is not None and (core_at is None or crm_at > core_at):
            return crm_value
        return core_value
