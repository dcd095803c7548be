"""Tables of the CRM (OCRM): profile, family, risk assessment, RMs, assignments, contacts,
complaints, and the keys of the writes the gateway has made."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData()

profile = Table(
    "crm_customer",
    metadata,
    Column("cust_no", String(12), primary_key=True),
    Column("name", String(60)),
    Column("mobile", String(20), comment="CRM's own copy; may be stale"),
    Column("mobile_updated_at", DateTime),
    Column("address", String(200)),
    Column("address_updated_at", DateTime),
    Column("email", String(100)),
    Column("occupation", String(40)),
    Column("employer", String(100)),
    Column("income_band", String(16)),
    Column("education", String(16)),
    Column("marital_status", String(12)),
    Column("wedding_anniversary", Date),
    Column("hobbies", String(200)),
    Column("product_preferences", String(200), comment="comma-separated product types"),
    Column("life_experiences", Text),
    Column("business_scale", String(40)),
    Column("potential_needs", String(200)),
    Column("marketing_consent", Boolean, nullable=False, default=False),
    Column("updated_at", DateTime, nullable=False),
    Column("version", Integer, nullable=False, default=1),
)

family_member = Table(
    "crm_family_member",
    metadata,
    Column("member_id", BigInteger, primary_key=True, autoincrement=False),
    Column("cust_no", String(12), nullable=False, index=True),
    Column("relation", String(12), nullable=False, comment="SPOUSE, CHILD, PARENT, SIBLING"),
    Column("name", String(60), nullable=False),
    Column("birth_date", Date),
)

risk_assessment = Table(
    "crm_risk_assessment",
    metadata,
    Column("assessment_id", BigInteger, primary_key=True, autoincrement=False),
    Column("cust_no", String(12), nullable=False),
    Column("investor_type", SmallInteger, nullable=False, comment="1..5 for C1..C5"),
    Column("assessed_on", Date, nullable=False),
    Column("expires_on", Date, nullable=False),
    Index("ix_crm_risk_cust", "cust_no", "assessed_on"),
)

relationship_manager = Table(
    "crm_rm",
    metadata,
    Column("rm_id", String(10), primary_key=True),
    Column("employee_no", String(10), nullable=False),
    Column("name", String(60), nullable=False),
    Column(
        "grade",
        String(8),
        nullable=False,
        comment="SENIOR, LEVEL_1, LEVEL_2, LEVEL_3, LEVEL_4, TRAINEE",
    ),
    Column("branch_code", String(8), nullable=False, index=True),
    Column("hired_on", Date, nullable=False),
)

assignment = Table(
    "crm_assignment",
    metadata,
    Column("cust_no", String(12), primary_key=True),
    Column("rm_id", String(10), nullable=False),
    Column("branch_code", String(8), nullable=False),
    Column("assigned_on", Date, nullable=False),
    Column("version", Integer, nullable=False, server_default=text("1")),
    Index("ix_crm_assignment_rm", "rm_id", "cust_no"),
    Index("ix_crm_assignment_branch", "branch_code", "cust_no"),
)

contact = Table(
    "crm_contact",
    metadata,
    Column("contact_id", BigInteger, primary_key=True, autoincrement=False),
    Column("cust_no", String(12), nullable=False),
    Column("rm_id", String(10)),
    Column("channel", String(8), nullable=False, comment="PHONE, SMS, VISIT, EVENT, WECHAT, EMAIL"),
    Column("care_type", String(8), nullable=False, comment="ROUTINE or KEY"),
    Column("summary", String(400), nullable=False),
    Column("contacted_at", DateTime, nullable=False),
    Column("follow_up_on", Date),
    Index("ix_crm_contact_cust", "cust_no", "contacted_at", "contact_id"),
)

complaint = Table(
    "crm_complaint",
    metadata,
    Column("complaint_id", BigInteger, primary_key=True, autoincrement=False),
    Column("cust_no", String(12), nullable=False),
    Column(
        "category",
        String(16),
        nullable=False,
        comment="SERVICE, FEES, PRODUCT, WAIT_TIME, SYSTEM, MIS_SELLING",
    ),
    Column("status", String(12), nullable=False, comment="OPEN, IN_PROGRESS, RESOLVED, CLOSED"),
    Column("summary", String(400), nullable=False),
    Column("opened_at", DateTime, nullable=False),
    Column("resolved_at", DateTime),
    Column("satisfaction", SmallInteger, comment="1..5 after resolution"),
    Column("version", Integer, nullable=False, server_default=text("1")),
    Index("ix_crm_complaint_cust", "cust_no", "opened_at"),
)

idempotency = Table(
    "crm_idempotency",
    metadata,
    Column("subject", String(128), primary_key=True, comment="who wrote: the token's subject"),
    Column("idem_key", String(64), primary_key=True, comment="the caller's idempotency key"),
    Column("mutation", String(40), nullable=False),
    Column("fingerprint", String(64), nullable=False, comment="SHA-256 of the request's input"),
    Column("result", Text, comment="the written row as JSON, set in the same transaction"),
    Column("created_at", DateTime, nullable=False),
    comment="One row per write made through the gateway, written in the write's transaction",
)
