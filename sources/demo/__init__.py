"""A deterministic demo bank: the same seed, size and day always give the same customers.

``load_demo_bank`` fills the core (DCC), wealth (WMS) and CRM (OCRM) databases with branches,
RMs of every grade, customers in every tier, a year of transactions and FX rates, a wealth
shelf with NAV history, and CRM profiles from nearly empty to complete.
"""

from sources.demo.loader import DemoSummary, load_demo_bank

__all__ = ["DemoSummary", "load_demo_bank"]
