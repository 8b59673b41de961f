"""regional groups as reference data

Revision ID: 0002_regional_groups
Revises: 0001_foundation
Create Date: 2026-11-28 04:40:00

"""
import json
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0002_regional_groups"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

# A frozen copy of the data as this migration first loaded it; later changes come in new migrations
# or through `flask --app wsgi forum sync-regions`.
DATA = Path(__file__).resolve().parents[2] / "forum" / "meetings" / "data" / "regional_groups.json"


def upgrade():
    data = json.loads(DATA.read_text())
    groups = sa.table("regional_groups", sa.column("id", sa.Integer), sa.column("code", sa.String),
                      sa.column("name", sa.String))
    states = sa.table("regional_group_states", sa.column("regional_group_id", sa.Integer),
                      sa.column("member_state", sa.String))
    conn = op.get_bind()
    for code, group in data.items():
        if code.startswith("_"):
            continue
        conn.execute(groups.insert().values(code=code, name=group["name"]))
        group_id = conn.execute(sa.select(groups.c.id).where(groups.c.code == code)).scalar_one()
        conn.execute(states.insert(), [{"regional_group_id": group_id, "member_state": s} for s in group["states"]])


def downgrade():
    op.execute("DELETE FROM regional_group_states")
    op.execute("DELETE FROM regional_groups")
