"""Tables of the wealth management system (WMS): products, NAV history, holdings, orders."""

from sqlalchemy import (
    CHAR,
    BigInteger,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
)

metadata = MetaData()

product = Table(
    "wms_product",
    metadata,
    Column("product_code", String(16), primary_key=True),
    Column("product_name", String(100), nullable=False),
    Column(
        "product_type", String(16), nullable=False, comment="MUTUAL_FUND, WEALTH, INSURANCE, BOND"
    ),
    Column("risk_level", SmallInteger, nullable=False, comment="1..5 for R1..R5"),
    Column("currency", CHAR(3), nullable=False),
    Column("term_days", Integer),
    Column("launch_date", Date, nullable=False),
    Column("maturity_date", Date),
    Column("status", String(8), nullable=False, comment="ON_SALE, CLOSED"),
)

nav = Table(
    "wms_nav",
    metadata,
    Column("product_code", String(16), primary_key=True),
    Column("nav_date", Date, primary_key=True),
    Column("nav", Numeric(12, 4), nullable=False),
)

holding = Table(
    "wms_holding",
    metadata,
    Column("holding_id", BigInteger, primary_key=True, autoincrement=False),
    Column("cust_no", String(12), nullable=False),
    Column("product_code", String(16), nullable=False),
    Column("units", Numeric(18, 4), nullable=False),
    Column("cost_amount", Numeric(18, 2), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Index("ix_wms_holding_cust", "cust_no", "holding_id"),
)

order = Table(
    "wms_order",
    metadata,
    Column("order_id", BigInteger, primary_key=True, autoincrement=False),
    Column("cust_no", String(12), nullable=False),
    Column("product_code", String(16), nullable=False),
    Column("side", String(8), nullable=False, comment="BUY, REDEEM"),
    Column("amount", Numeric(18, 2), nullable=False),
    Column("units", Numeric(18, 4)),
    Column("status", String(10), nullable=False, comment="FILLED, PENDING, CANCELLED"),
    Column("channel", String(8), nullable=False),
    Column("placed_at", DateTime, nullable=False),
    Index("ix_wms_order_cust", "cust_no", "placed_at"),
)
