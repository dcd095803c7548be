"""The customer population, generated in chunks: every customer's rows in all three systems.

Each customer draws from their own random stream (seeded by the bank's seed and their serial),
so a customer's data does not depend on the chunk size; ids run on across chunks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from random import Random

from sources.demo.accounts import Row, open_accounts
from sources.demo.care import assess_risk, assign_rm, complaints, contact_log
from sources.demo.catalogue import Catalogue
from sources.demo.customer import new_customer
from sources.demo.holdings import buy_holdings
from sources.demo.profile import crm_profile, draw_background, family_members
from sources.demo.sequences import Sequences
from sources.demo.showcase import NO_TRAITS, plan_showcase
from sources.demo.transactions import book_transactions

Batch = dict[str, list[Row]]
"""Rows to insert, by table name."""

INVESTOR_SHARE = {0: 0.9, 1: 0.85, 2: 0.75, 3: 0.65, 4: 0.55, 5: 0.45, 6: 0.33}


class Bank:
    """A deterministic demo bank of ``customers`` customers as of ``as_of``."""

    def __init__(self, customers: int, seed: int, as_of: dt.date) -> None:
        self.customers = customers
        self.seed = seed
        self.catalogue = Catalogue(seed, as_of, customers)
        self.showcase = plan_showcase(customers, seed)
        self.sequences = Sequences()
        self._resident_ids: set[str] = set()

    def reference_rows(self) -> Batch:
        """Branches, FX rates, products, NAV history and RMs."""
        cat = self.catalogue
        return {
            "dcc_branch": [b.row() for b in cat.branches],
            "dcc_fx_rate": cat.fx.rows(),
            "wms_product": [p.row() for p in cat.shelf],
            "wms_nav": [row for p in cat.shelf for row in p.nav_rows()],
            "crm_rm": [rm.row() for rm in cat.rms],
        }

    def batches(self, size: int) -> Iterator[tuple[int, Batch]]:
        """(customers in the batch, their rows) for consecutive chunks of ``size`` customers."""
        for first in range(1, self.customers + 1, size):
            last = min(first + size - 1, self.customers)
            batch: Batch = defaultdict(list)
            for n in range(first, last + 1):
                self._customer(n, batch)
            yield last - first + 1, batch

    def _customer(self, n: int, out: Batch) -> None:
        cat, seq = self.catalogue, self.sequences
        rng = Random(f"demo:{self.seed}:customer:{n}")
        traits = self.showcase.get(n, NO_TRAITS)
        c = new_customer(rng, n, traits, cat, self._resident_ids)
        background = draw_background(rng, c, cat)

        wants = bool(traits.flags & {"holds_swing", "holds_maturing", "documented"})
        wants = wants or rng.random() < INVESTOR_SHARE[c.tier.rank]
        assessments, investor_type = assess_risk(rng, c, cat, seq, wants)
        invests = wants and investor_type is not None
        top = 6 - c.tier.rank
        wealth_share = rng.uniform(0.2, 0.6 + top * 0.03) if invests else 0.0
        accounts = open_accounts(rng, c, cat, seq, c.total_assets * (1 - wealth_share))
        holdings: list[Row] = []
        orders: list[Row] = []
        if invests and investor_type is not None:
            holdings, orders = buy_holdings(
                rng, c, cat, seq, c.total_assets * wealth_share, investor_type
            )
        held_types = {cat.products[h["product_code"]].product_type for h in holdings}
        transactions = book_transactions(rng, c, accounts, background.employer, cat, seq)
        profile = crm_profile(rng, c, background, held_types, cat)
        family = family_members(rng, c, background, cat, seq)
        assignment, rm = assign_rm(rng, c, cat)
        contacts = contact_log(rng, c, rm, bool(holdings), cat, seq)

        out["dcc_party"].append(c.party_row())
        out["dcc_account"].extend(accounts)
        out["dcc_transaction"].extend(transactions)
        out["wms_holding"].extend(holdings)
        out["wms_order"].extend(orders)
        out["crm_customer"].append(profile)
        out["crm_family_member"].extend(family)
        out["crm_risk_assessment"].extend(assessments)
        out["crm_assignment"].append(assignment)
        out["crm_contact"].extend(contacts)
        out["crm_complaint"].extend(complaints(rng, c, cat, seq))
