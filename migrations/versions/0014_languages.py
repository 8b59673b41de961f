"""languages: amendments' translations, parts' titles

Revision ID: 0014_languages
Revises: 0013_proceedings
Create Date: 2026-11-28 07:20:00

"""
from alembic import op
import sqlalchemy as sa

import forum.db


# revision identifiers, used by Alembic.
revision = '0014_languages'
down_revision = '0013_proceedings'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('amendment_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('source_digest', sa.String(length=64), nullable=False),
    sa.Column('updated_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_amendment_translations_amendment_id_amendments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_amendment_translations_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendment_translations')),
    sa.UniqueConstraint('amendment_id', 'language', name=op.f('uq_amendment_translations_amendment_id_language'))
    )
    with op.batch_alter_table('amendment_translations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_amendment_translations_amendment_id'), ['amendment_id'], unique=False)

    op.create_table('part_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['part_id'], ['draft_parts.id'], name=op.f('fk_part_translations_part_id_draft_parts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_part_translations')),
    sa.UniqueConstraint('part_id', 'language', name=op.f('uq_part_translations_part_id_language'))
    )
    with op.batch_alter_table('part_translations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_part_translations_part_id'), ['part_id'], unique=False)


def downgrade():
    with op.batch_alter_table('part_translations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_part_translations_part_id'))

    op.drop_table('part_translations')
    with op.batch_alter_table('amendment_translations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_amendment_translations_amendment_id'))

    op.drop_table('amendment_translations')
