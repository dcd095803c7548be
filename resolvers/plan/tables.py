"""Every planned type's table, by schema type name."""

from __future__ import annotations

from resolvers.plan.agenda import AGENDA_ITEM, maintenance_agenda
from resolvers.plan.banking import ACCOUNT, BRANCH, TRANSACTION
from resolvers.plan.customers import (
    ATTRIBUTE_SOURCE,
    CUSTOMER,
    CUSTOMER_CONNECTION_EXTRA,
    all_branches,
    customer_by_id,
    customers_page,
)
from resolvers.plan.pages import PAGE_INFO, connection_tables
from resolvers.plan.specs import Root, Spec, Table
from resolvers.plan.staff import RELATIONSHIP_MANAGER
from resolvers.plan.wealth import HOLDING, NAV_POINT, PRODUCT

# The planned root fields, all of them here.
QUERY: Table = {
    "customer": Root(customer_by_id),
    "customers": Root(customers_page),
    "branches": Root(all_branches),
    "maintenanceAgenda": Root(maintenance_agenda),
}

TABLES: dict[str, Table] = {
    "Query": QUERY,
    "AgendaItem": AGENDA_ITEM,
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
