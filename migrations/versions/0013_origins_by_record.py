"""origins found by the record they were read from

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

A record without an address is known again by where it was read (its file and record) and its original
text: read again after a cleaning rule changed (`archive ingest --force`, or a file grown since), it
updates its article instead of adding a second one. The index makes that look-up one probe a record.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_origins_file_record", "origins", ["origin_file", "origin_record"])


def downgrade() -> None:
    op.drop_index("ix_origins_file_record", table_name="origins")
