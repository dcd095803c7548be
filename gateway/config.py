"""Settings, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

DEFAULT_DATA_DIR = ".c360"
# Key-care holidays of the maintenance agenda: MM-DD recurs every year; the lunar holidays
# (Spring Festival, Mid-Autumn) move, so they are listed by full date for 2026 and 2027.
DEFAULT_HOLIDAYS = (
    "01-01:元旦",
    "05-01:劳动节",
    "10-01:国庆节",
    "2026-02-17:春节",
    "2026-09-25:中秋节",
    "2027-02-06:春节",
    "2027-09-15:中秋节",
)
SOURCE_URL_VARIABLES = {
    "core": "C360_CORE_DB_URL",
    "wealth": "C360_WEALTH_DB_URL",
    "crm": "C360_CRM_DB_URL",
}


@dataclass(frozen=True)
class Settings:
    """Where the sources live and how the gateway runs."""

    data_dir: Path
    core_db_url: str
    wealth_db_url: str
    crm_db_url: str
    environment: str = "development"
    max_page_size: int = 100
    reference_ttl_seconds: float = 60.0
    audit_db_url: str = ""
    audit_flush_seconds: float = 0.1
    sources_configured: bool = False
    nav_swing_threshold: Decimal = Decimal("0.05")
    nav_swing_days: int = 30
    agenda_holidays: tuple[str, ...] = DEFAULT_HOLIDAYS

    @property
    def source_urls(self) -> dict[str, str]:
        """Each source's database URL, by source name."""
        return {"core": self.core_db_url, "wealth": self.wealth_db_url, "crm": self.crm_db_url}

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Settings from ``C360_*`` variables; three SQLite files under the data dir by default."""
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("C360_DATA_DIR", DEFAULT_DATA_DIR)).expanduser()
        urls = {
            name: env.get(var) or f"sqlite+aiosqlite:///{(data_dir / name).as_posix()}.db"
            for name, var in SOURCE_URL_VARIABLES.items()
        }
        return cls(
            data_dir=data_dir,
            core_db_url=urls["core"],
            wealth_db_url=urls["wealth"],
            crm_db_url=urls["crm"],
            environment=env.get("C360_ENV", "development"),
            max_page_size=int(env.get("C360_MAX_PAGE_SIZE", "100")),
            reference_ttl_seconds=float(env.get("C360_REFERENCE_TTL_SECONDS", "60")),
            audit_db_url=env.get("C360_AUDIT_DB_URL")
            or f"sqlite+aiosqlite:///{(data_dir / 'audit').as_posix()}.db",
            audit_flush_seconds=float(env.get("C360_AUDIT_FLUSH_SECONDS", "0.1")),
            sources_configured=any(env.get(var) for var in SOURCE_URL_VARIABLES.values()),
            nav_swing_threshold=Decimal(env.get("C360_NAV_SWING_THRESHOLD", "0.05")),
            nav_swing_days=int(env.get("C360_NAV_SWING_DAYS", "30")),
            agenda_holidays=tuple(
                h.strip() for h in env.get("C360_AGENDA_HOLIDAYS", "").split(",") if h.strip()
            )
            or DEFAULT_HOLIDAYS,
        )
