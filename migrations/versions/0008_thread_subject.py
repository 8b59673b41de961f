"""a thread's subject: a draft paragraph or an amendment

Revision ID: 0008_thread_subject
Revises: 0007_api
Create Date: 2026-11-28 05:35:00

"""
from alembic import op
import sqlalchemy as sa

import forum.db


# revision identifiers, used by Alembic.
revision = '0008_thread_subject'
down_revision = '0007_api'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
