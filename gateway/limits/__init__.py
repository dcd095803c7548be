"""Query limits: document size, tokens, depth, aliases, root fields, directives and cost,
checked on the parsed document before any resolver runs; and how many costly documents a
worker executes at once."""

from gateway.limits.admission import Admission, AdmissionSettings
from gateway.limits.analysis import CircularFragment, Measure, measure_document
from gateway.limits.config import QueryLimits
from gateway.limits.extension import (
    DocumentLimits,
    parse_options,
    refusals_and_cost,
    refusals_of,
)
from gateway.limits.refusals import LIMIT_CODES

__all__ = [
    "LIMIT_CODES",
    "Admission",
    "AdmissionSettings",
    "CircularFragment",
    "DocumentLimits",
    "Measure",
    "QueryLimits",
    "measure_document",
    "parse_options",
    "refusals_and_cost",
    "refusals_of",
]
