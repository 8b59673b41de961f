"""the report of the meeting: interventions, corrections and adoption

Revision ID: 0013_proceedings
Revises: 0012_sittings
Create Date: 2026-11-28 06:40:00

"""
from alembic import op
import sqlalchemy as sa

import forum.db


# revision identifiers, used by Alembic.
revision = '0013_proceedings'
down_revision = '0012_sittings'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
