"""group positions, statements and internal polls

Revision ID: 0010_positions
Revises: 0009_document_draft
Create Date: 2026-11-28 06:30:00

"""
from alembic import op
import sqlalchemy as sa

import forum.db


# revision identifiers, used by Alembic.
revision = '0010_positions'
down_revision = '0009_document_draft'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
