"""Tables of the findings registry (RULES.md §Lifecycle): every finding ever
made, per county, and its status at every run.

`finding_events` is the history and the source of truth; `findings` holds one
row per issue with its summary (first/last seen, current status) and the last
known display fields, for the lists and the report. The Alembic migrations in
recon/registry/migrations create exactly these tables (a test compares them).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Statuses of an event. new/open/reopened are reported, suppressed is found
# but exempted, resolved is no longer found.
from recon.registry.outcome import REPORTED  # noqa: E402  (new, open, reopened)
FOUND = REPORTED + ("suppressed",)
# unchecked: open before, and its rule could not run this time (its source or
# column was absent): neither struck off nor reported, still open next run.
UNCHECKED = "unchecked"
STATUSES = FOUND + ("resolved", UNCHECKED)


class Base(DeclarativeBase):
    pass


class Run(Base):
    __tablename__ = "runs"
    __table_args__ = (UniqueConstraint("county", "as_of", name="uq_runs_county_as_of"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    county: Mapped[str] = mapped_column(String(100))
    as_of: Mapped[dt.date] = mapped_column(Date)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))
    counts: Mapped[dict | None] = mapped_column(JSON)


class Finding(Base):
    __tablename__ = "findings"
    __table_args__ = (UniqueConstraint("county", "issue_id", name="uq_findings_county_issue"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    county: Mapped[str] = mapped_column(String(100))
    issue_id: Mapped[str] = mapped_column(String(16))
    rule: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[dt.date] = mapped_column(Date)
    last_seen: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    # Last known display fields (CONTRACT.md §4 mismatches.csv).
    severity: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(50))
    source: Mapped[str | None] = mapped_column(Text)
    township: Mapped[str | None] = mapped_column(Text)
    village: Mapped[str | None] = mapped_column(Text)
    household_id: Mapped[str | None] = mapped_column(Text)
    id_number: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    file: Mapped[str | None] = mapped_column(Text)
    row: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(Text)
    expected: Mapped[str | None] = mapped_column(Text)
    actual: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str | None] = mapped_column(Text)
    display_hash: Mapped[str | None] = mapped_column(String(16))  # of the fields above: skip unchanged rows


class FindingEvent(Base):
    """The status of one issue at one run; fingerprint = its evidence then."""
    __tablename__ = "finding_events"
    __table_args__ = (
        UniqueConstraint("run_id", "issue_id", name="uq_events_run_issue"),
        Index("ix_events_county_issue", "county", "issue_id", "as_of"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    county: Mapped[str] = mapped_column(String(100))
    issue_id: Mapped[str] = mapped_column(String(16))
    as_of: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    township: Mapped[str | None] = mapped_column(Text)
    fingerprint: Mapped[str | None] = mapped_column(String(16))


class Feedback(Base):
    """A row of a returned township list (整改情况 filled in)."""
    __tablename__ = "feedback"
    __table_args__ = (Index("ix_feedback_county_issue", "county", "issue_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    county: Mapped[str] = mapped_column(String(100))
    issue_id: Mapped[str] = mapped_column(String(16))
    list_as_of: Mapped[dt.date] = mapped_column(Date)   # as-of date of the list it was written on
    status_text: Mapped[str] = mapped_column(String(20))  # 已整改 / 核实无误
    reason: Mapped[str | None] = mapped_column(Text)
    file: Mapped[str | None] = mapped_column(Text)
    read_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Exemption(Base):
    """A finding not to report: from the county's register (matched by rule and
    证件号码 or 户编号, for the run that read it) or from feedback 核实无误
    (matched by issue_id while its evidence keeps the fingerprint)."""
    __tablename__ = "exemptions"
    __table_args__ = (Index("ix_exemptions_county", "county", "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    county: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20))      # register / feedback
    rule: Mapped[str] = mapped_column(String(20))
    issue_id: Mapped[str | None] = mapped_column(String(16))
    id_number: Mapped[str | None] = mapped_column(Text)
    household_id: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    approved_on: Mapped[dt.date | None] = mapped_column(Date)
    fingerprint: Mapped[str | None] = mapped_column(String(16))
