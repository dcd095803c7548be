"""Query limits: document size, tokens, depth, aliases, root fields, directives and cost,
checked on the parsed document before any resolver runs."""

from gateway.limits.analysis import CircularFragment, Measure, measure_document
from gateway.limits.config import QueryLimits
from gateway.limits.extension import DocumentLimits, parse_options, refusals_of
from gateway.limits.refusals import LIMIT_CODES

__all__ = [
    "LIMIT_CODES",
    "CircularFragment",
    "DocumentLimits",
    "Measure",
    "QueryLimits",
    "measure_document",
    "parse_options",
    "refusals_of",
]
