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
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_documents_draft_id'), ['draft_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_documents_draft_id_drafts'), 'drafts', ['draft_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_documents_draft_id_drafts'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_documents_draft_id'))
        batch_op.drop_column('draft_id')
