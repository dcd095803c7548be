"""Daily CNY exchange rates for a year up to the bank's today: a gentle mean-reverting walk."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from random import Random

CURRENCIES = {"USD": 7.18, "HKD": 0.921, "EUR": 7.80, "GBP": 9.10, "JPY": 0.0485}
_DAILY_VOLATILITY = {"USD": 0.0015, "HKD": 0.0015, "EUR": 0.004, "GBP": 0.004, "JPY": 0.005}
HISTORY_DAYS = 365


class FxRates:
    """CNY per unit of each foreign currency, one rate per calendar day (CNY itself is 1)."""

    def __init__(self, rng: Random, as_of: dt.date) -> None:
        self.as_of = as_of
        self.start = as_of - dt.timedelta(days=HISTORY_DAYS)
        days = HISTORY_DAYS + 1
        self._rates: dict[str, list[Decimal]] = {}
        usd: list[float] = []
        for currency, base in CURRENCIES.items():
            if currency == "HKD":  # pegged to the US dollar, give or take
                walk = [u / 7.80 * math.exp(rng.gauss(0, 0.0004)) for u in usd]
            else:
                walk = _walk(rng, base, _DAILY_VOLATILITY[currency], days)
            if currency == "USD":
                usd = walk
            self._rates[currency] = [Decimal(f"{rate:.6f}") for rate in walk]

    def on(self, currency: str, day: dt.date) -> Decimal:
        """The rate of the latest day on or before ``day`` (the first day before the history)."""
        if currency == "CNY":
            return Decimal(1)
        index = min(max((day - self.start).days, 0), HISTORY_DAYS)
        return self._rates[currency][index]

    def latest(self, currency: str) -> float:
        """Today's rate as a float, for sizing balances."""
        return float(self.on(currency, self.as_of))

    def rows(self) -> list[dict[str, object]]:
        """The ``dcc_fx_rate`` rows."""
        return [
            {
                "currency": currency,
                "rate_date": self.start + dt.timedelta(days=i),
                "cny_per_unit": rate,
            }
            for currency, rates in self._rates.items()
            for i, rate in enumerate(rates)
        ]


def _walk(rng: Random, base: float, volatility: float, days: int) -> list[float]:
    level = math.log(base) + rng.gauss(0, 0.02)
    anchor = math.log(base)
    out = []
    for _ in range(days):
        level += 0.02 * (anchor - level) + rng.gauss(0, volatility)
        out.append(math.exp(level))
    return out
