"""Tables of the core banking system (DCC): the party master, accounts, money movements, FX."""

from sqlalchemy import (
    CHAR,
    BigInteger,
    Column,
    Date,
    DateTime,
    Index,
    MetaData,
    Numeric,
    String,
    Table,
)

metadata = MetaData()

branch = Table(
    "dcc_branch",
    metadata,
    Column("branch_code", String(8), primary_key=True),
    Column("branch_name", String(60), nullable=False),
    Column("city", String(20), nullable=False),
    Column("address", String(200), nullable=False),
)

party = Table(
    "dcc_party",
    metadata,
    Column("cust_no", String(12), primary_key=True, comment="ECIF customer number"),
    Column("legal_name", String(60), nullable=False),
    Column("gender", CHAR(1), nullable=False, comment="M or F"),
    Column("id_type", String(2), nullable=False, comment="01 resident ID, 02 passport"),
    Column("id_no", String(32), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("mobile", String(20)),
    Column("mobile_updated_at", DateTime),
    Column("address", String(200)),
    Column("address_updated_at", DateTime),
    Column("open_branch", String(8), nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("status", String(8), nullable=False, comment="ACTIVE, DORMANT, CLOSED"),
    Column("updated_at", DateTime, nullable=False),
)

account = Table(
    "dcc_account",
    metadata,
    Column("acct_id", BigInteger, primary_key=True, autoincrement=False),
    Column("cust_no", String(12), nullable=False),
    Column("acct_no", String(32), nullable=False, comment="account number"),
    Column("card_no", String(19), comment="debit or credit card number, when one is issued"),
    Column("card_expiry", String(5), comment="MM/YY; C3, never leaves the gateway"),
    Column(
        "product_type",
        String(16),
        nullable=False,
        comment="CURRENT, TIME_DEPOSIT, LOAN, CREDIT_CARD",
    ),
    Column("currency", CHAR(3), nullable=False),
    Column("balance", Numeric(18, 2), nullable=False),
    Column("interest_rate", Numeric(7, 4)),
    Column("opened_on", Date, nullable=False),
    Column("maturity_date", Date),
    Column("branch_code", String(8), nullable=False),
    Column("status", String(8), nullable=False, comment="ACTIVE, DORMANT, CLOSED"),
    Index("ix_dcc_account_cust", "cust_no", "acct_id"),
)

transaction = Table(
    "dcc_transaction",
    metadata,
    Column("txn_id", BigInteger, primary_key=True, autoincrement=False),
    Column("acct_id", BigInteger, nullable=False),
    Column("cust_no", String(12), nullable=False),
    Column("amount", Numeric(18, 2), nullable=False, comment="always positive"),
    Column("currency", CHAR(3), nullable=False),
    Column("direction", CHAR(1), nullable=False, comment="C credit (in), D debit (out)"),
    Column(
        "channel", String(8), nullable=False, comment="COUNTER, ATM, MOBILE, ONLINE, POS, HOTLINE"
    ),
    Column("branch_code", String(8), nullable=False),
    Column("counterparty", String(100)),
    Column("booked_at", DateTime, nullable=False),
    Index("ix_dcc_transaction_acct", "acct_id", "booked_at", "txn_id"),
    Index("ix_dcc_transaction_cust", "cust_no", "booked_at", "txn_id"),
)

fx_rate = Table(
    "dcc_fx_rate",
    metadata,
    Column("currency", CHAR(3), primary_key=True),
    Column("rate_date", Date, primary_key=True),
    Column("cny_per_unit", Numeric(18, 6), nullable=False),
)
