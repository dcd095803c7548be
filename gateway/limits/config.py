"""How large and how expensive a GraphQL document may be, with safe defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

# Each default sits above what c360's own clients ask for and far below what a hostile
# document needs to hurt. Measured on every document in the tests and the README
# (bench/limits.py prints them): the deepest is the 360 page of tests/test_statement_count.py,
# depth 7 (9 when read through `edges { node }`); the costliest the same page at `first: 100`,
# 49,501, and GraphiQL's introspection query, 49,432; the longest is that introspection query,
# 163 tokens and 1,479 characters; none uses aliases or directives, two root fields at most.


@dataclass(frozen=True)
class QueryLimits:
    """Limits checked on the parsed document before any resolver runs (``C360_MAX_*``)."""

    max_document_chars: int = 16_384
    """Source length in characters (code points), refused before lexing."""
    max_tokens: int = 1_000
    """Lexical tokens, counted by the parser, which stops at the first one over; comments are
    not tokens but are bounded by the same number."""
    max_depth: int = 10
    """Fields on the longest path from the operation to a leaf."""
    max_aliases: int = 15
    """Aliased fields, each fragment counted once per use."""
    max_root_fields: int = 10
    """Fields selected at the operation's top level."""
    max_directives: int = 50
    """Directive uses, each fragment counted once per use."""
    max_cost: int = 100_000
    """Estimated field resolutions: a list sized by `first` multiplies what it holds by
    `first`, any other list by ``list_estimate``."""
    list_estimate: int = 10
    """How many items a list without `first` is assumed to hold."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> QueryLimits:
        """Limits from ``C360_MAX_DOCUMENT_CHARS``, ``C360_MAX_TOKENS``, ``C360_MAX_DEPTH``,
        ``C360_MAX_ALIASES``, ``C360_MAX_ROOT_FIELDS``, ``C360_MAX_DIRECTIVES``,
        ``C360_MAX_COST`` and ``C360_LIST_ESTIMATE``; the defaults elsewhere."""
        env = os.environ if environ is None else environ
        defaults = cls()
        values = {
            name: int(env.get(f"C360_{name.upper()}", getattr(defaults, name)))
            for name in cls.__dataclass_fields__
        }
        return cls(**values)
