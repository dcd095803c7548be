"""Settings objects overridden field by field from environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, TypeVar

T = TypeVar("T")


def overridden(defaults: T, variables: Mapping[str, str], environ: Mapping[str, str] | None) -> T:
    """``defaults`` (a dataclass) with each field in ``variables`` read from its variable when
    that is set, converted to the type of the field's default."""
    env = os.environ if environ is None else environ
    changes: dict[str, Any] = {
        name: type(getattr(defaults, name))(env[variable])
        for name, variable in variables.items()
        if env.get(variable)
    }
    return replace(defaults, **changes)  # type: ignore[type-var]
