"""One adapter per back-end system, each over its own database."""

from __future__ import annotations

from dataclasses import dataclass

from sources.base import Source
from sources.core.adapter import CoreBanking
from sources.crm.adapter import Crm
from sources.wealth.adapter import WealthManagement


@dataclass(frozen=True)
class Sources:
    """The three live systems the gateway reads."""

    core: CoreBanking
    wealth: WealthManagement
    crm: Crm

    @classmethod
    def from_urls(cls, urls: dict[str, str]) -> Sources:
        """Adapters over the databases named by ``urls`` (keys: core, wealth, crm)."""
        return cls(
            core=CoreBanking.from_url(urls["core"]),
            wealth=WealthManagement.from_url(urls["wealth"]),
            crm=Crm.from_url(urls["crm"]),
        )

    def all(self) -> tuple[Source, ...]:
        return (self.core, self.wealth, self.crm)

    async def dispose(self) -> None:
        for source in self.all():
            await source.dispose()


__all__ = ["CoreBanking", "Crm", "Source", "Sources", "WealthManagement"]
