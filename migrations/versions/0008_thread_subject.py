"""a thread's subject: a draft paragraph or an amendment

Revision ID: 0008_thread_subject
Revises: 0007_api
Create Date: 2026-11-28 05:35:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008_thread_subject'
down_revision = '0007_api'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paragraph_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('amendment_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_threads_paragraph_id'), ['paragraph_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_threads_amendment_id'), ['amendment_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_threads_paragraph_id_draft_paragraphs'), 'draft_paragraphs',
                                    ['paragraph_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_threads_amendment_id_amendments'), 'amendments',
                                    ['amendment_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(batch_op.f('ck_threads_one_subject'),
                                         'paragraph_id IS NULL OR amendment_id IS NULL')


def downgrade():
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_threads_one_subject'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_threads_amendment_id_amendments'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_threads_paragraph_id_draft_paragraphs'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_threads_amendment_id'))
        batch_op.drop_index(batch_op.f('ix_threads_paragraph_id'))
        batch_op.drop_column('amendment_id')
        batch_op.drop_column('paragraph_id')
