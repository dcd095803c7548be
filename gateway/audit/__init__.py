"""The audit trail: every read of personal data, on an append-only, hash-chained store.

Requests hand :class:`AuditRecord` s to an :class:`AuditTrail`, which buffers them off the
hot path and appends them to the ``audit_record`` table in batches; :func:`verify_chain`
recomputes the chain and names the records that were edited, deleted or reordered.
"""

from gateway.audit.chain import GENESIS, Anchor
from gateway.audit.record import AuditRecord, StoredEvent, records_of
from gateway.audit.trail import AuditTrail
from gateway.audit.verify import ChainReport, verify_chain

__all__ = [
    "GENESIS",
    "Anchor",
    "AuditRecord",
    "AuditTrail",
    "ChainReport",
    "StoredEvent",
    "records_of",
    "verify_chain",
]
