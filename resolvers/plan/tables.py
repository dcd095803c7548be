"""Every planned type's table, by schema type name."""

from __future__ import annotations

from resolvers.plan.banking import ACCOUNT, BRANCH, TRANSACTION
from resolvers.plan.customers import ATTRIBUTE_SOURCE, CUSTOMER, CUSTOMER_CONNECTION_EXTRA, QUERY
from resolvers.plan.pages import PAGE_INFO, connection_tables
from resolvers.plan.specs import Spec, Table
from resolvers.plan.staff import RELATIONSHIP_MANAGER
from resolvers.plan.wealth import HOLDING, NAV_POINT, PRODUCT

TABLES: dict[str, Table] = {
    "Query": QUERY,
    "Customer": CUSTOMER,
    "AttributeSource": ATTRIBUTE_SOURCE,
    "Account": ACCOUNT,
    "Transaction": TRANSACTION,
    "Branch": BRANCH,
    "Holding": HOLDING,
    "Product": PRODUCT,
    "NavPoint": NAV_POINT,
    "RelationshipManager": RELATIONSHIP_MANAGER,
    "PageInfo": PAGE_INFO,
    **connection_tables("TransactionConnection", "TransactionEdge"),
    **connection_tables("CustomerConnection", "CustomerEdge"),
}
TABLES["CustomerConnection"] = TABLES["CustomerConnection"] | CUSTOMER_CONNECTION_EXTRA


def uses_reference(spec: Spec) -> bool:
    """Whether a field reads the request's reference snapshot."""
    return spec.reference
