"""Initial registry: runs, findings, finding_events, feedback, exemptions.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("county", sa.String(100), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.UniqueConstraint("county", "as_of", name="uq_runs_county_as_of"),
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("county", sa.String(100), nullable=False),
        sa.Column("issue_id", sa.String(16), nullable=False),
        sa.Column("rule", sa.String(20), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("first_seen", sa.Date(), nullable=False),
        sa.Column("last_seen", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("severity", sa.String(20), nullable=True),
        sa.Column("category", sa.String(50), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("township", sa.Text(), nullable=True),
        sa.Column("village", sa.Text(), nullable=True),
        sa.Column("household_id", sa.Text(), nullable=True),
        sa.Column("id_number", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("file", sa.Text(), nullable=True),
        sa.Column("row", sa.Integer(), nullable=True),
        sa.Column("field", sa.Text(), nullable=True),
        sa.Column("expected", sa.Text(), nullable=True),
        sa.Column("actual", sa.Text(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("display_hash", sa.String(16), nullable=True),
        sa.UniqueConstraint("county", "issue_id", name="uq_findings_county_issue"),
    )
    op.create_table(
        "finding_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("county", sa.String(100), nullable=False),
        sa.Column("issue_id", sa.String(16), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("township", sa.Text(), nullable=True),
        sa.Column("fingerprint", sa.String(16), nullable=True),
        sa.UniqueConstraint("run_id", "issue_id", name="uq_events_run_issue"),
    )
    op.create_index("ix_events_county_issue", "finding_events", ["county", "issue_id", "as_of"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("county", sa.String(100), nullable=False),
        sa.Column("issue_id", sa.String(16), nullable=False),
        sa.Column("list_as_of", sa.Date(), nullable=False),
        sa.Column("status_text", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("file", sa.Text(), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_feedback_county_issue", "feedback", ["county", "issue_id"])
    op.create_table(
        "exemptions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("county", sa.String(100), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("rule", sa.String(20), nullable=False),
        sa.Column("issue_id", sa.String(16), nullable=True),
        sa.Column("id_number", sa.Text(), nullable=True),
        sa.Column("household_id", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("fingerprint", sa.String(16), nullable=True),
    )
    op.create_index("ix_exemptions_county", "exemptions", ["county", "source"])


def downgrade() -> None:
    op.drop_table("exemptions")
    op.drop_table("feedback")
    op.drop_table("finding_events")
    op.drop_table("findings")
    op.drop_table("runs")
