"""live sittings: agenda, current item, speakers list, timers, officers' messages

Revision ID: 0012_sittings
Revises: 0011_votes
Create Date: 2026-11-28 06:30:00

"""
from alembic import op
import sqlalchemy as sa

import forum.db


# revision identifiers, used by Alembic.
revision = '0012_sittings'
down_revision = '0011_votes'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
