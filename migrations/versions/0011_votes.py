"""votes, ballots, decisions, attendance register and substitution notices

Revision ID: 0011_votes
Revises: 0010_positions
Create Date: 2026-11-28 06:30:00

"""
from alembic import op
import sqlalchemy as sa

import forum.db


# revision identifiers, used by Alembic.
revision = '0011_votes'
down_revision = '0010_positions'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
