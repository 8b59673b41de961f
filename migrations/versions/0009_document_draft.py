"""the draft a document relates to

Revision ID: 0009_document_draft
Revises: 0008_thread_subject
Create Date: 2026-11-28 05:35:00

"""
from alembic import op
import sqlalchemy as sa

import forum.db


# revision identifiers, used by Alembic.
revision = '0009_document_draft'
down_revision = '0008_thread_subject'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
