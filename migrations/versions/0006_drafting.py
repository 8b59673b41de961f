"""drafts, paragraphs, amendments

Revision ID: 0006_drafting
Revises: 0005_documents
Create Date: 2026-11-28 04:30:00

Reserved in the migration chain so that the modules built in parallel keep one history;
the module's author fills in its tables.
"""
from alembic import op
import sqlalchemy as sa

import forum.db


# revision identifiers, used by Alembic.
revision = '0006_drafting'
down_revision = '0005_documents'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
