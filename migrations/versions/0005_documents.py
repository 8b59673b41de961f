"""documents, versions, attachments

Revision ID: 0005_documents
Revises: 0004_discussions
Create Date: 2026-11-28 04:30:00

Official documents (symbols, reissues) and working files (versions) with their language
versions, the stored files' metadata (the files themselves live under FORUM_UPLOAD_DIR), and
documents attached to discussion posts (posts come with 0004_discussions).
"""
from alembic import op
import sqlalchemy as sa

import forum.db


# revision identifiers, used by Alembic.
revision = '0005_documents'
down_revision = '0004_discussions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('official', 'working', name='documentkind', native_enum=False, length=24), nullable=False),
    sa.Column('symbol', sa.String(length=80), nullable=True),
    sa.Column('language', sa.Enum('en', 'fr', 'es', 'other', name='documentlanguage', native_enum=False, length=8), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('agenda_item_id', sa.Integer(), nullable=True),
    sa.Column('reissue_of_id', sa.Integer(), nullable=True),
    sa.Column('reissue_kind', sa.Enum('revision', 'corrigendum', 'addendum', name='reissuekind', native_enum=False, length=24), nullable=True),
    sa.Column('reissue_number', sa.Integer(), nullable=True),
    sa.Column('variant_of_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('updated_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_reason', sa.String(length=500), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(kind = 'official') = (symbol IS NOT NULL)", name=op.f('ck_documents_symbol_iff_official')),
    sa.CheckConstraint('(reissue_of_id IS NULL) = (reissue_kind IS NULL)', name=op.f('ck_documents_reissue_has_kind')),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_items.id'], name=op.f('fk_documents_agenda_item_id_agenda_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_documents_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_documents_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reissue_of_id'], ['documents.id'], name=op.f('fk_documents_reissue_of_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], name=op.f('fk_documents_space_id_spaces'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['variant_of_id'], ['documents.id'], name=op.f('fk_documents_variant_of_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_documents_withdrawn_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('meeting_id', 'symbol', 'language', name=op.f('uq_documents_meeting_id_symbol_language'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_agenda_item_id'), ['agenda_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_reissue_of_id'), ['reissue_of_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_space_id'), ['space_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_variant_of_id'), ['variant_of_id'], unique=False)

    op.create_table('document_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('file_type', sa.String(length=10), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_versions_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_document_versions_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_versions')),
    sa.UniqueConstraint('document_id', 'number', name=op.f('uq_document_versions_document_id_number'))
    )
    with op.batch_alter_table('document_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_versions_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_versions_sha256'), ['sha256'], unique=False)

    op.create_table('post_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('attached_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attached_by_id'], ['users.id'], name=op.f('fk_post_attachments_attached_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_post_attachments_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_attachments_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_attachments')),
    sa.UniqueConstraint('post_id', 'document_id', name=op.f('uq_post_attachments_post_id_document_id'))
    )
    with op.batch_alter_table('post_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_attachments_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_post_attachments_post_id'), ['post_id'], unique=False)


def downgrade():
    with op.batch_alter_table('post_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_attachments_post_id'))
        batch_op.drop_index(batch_op.f('ix_post_attachments_document_id'))

    op.drop_table('post_attachments')
    with op.batch_alter_table('document_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_versions_sha256'))
        batch_op.drop_index(batch_op.f('ix_document_versions_document_id'))

    op.drop_table('document_versions')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_variant_of_id'))
        batch_op.drop_index(batch_op.f('ix_documents_space_id'))
        batch_op.drop_index(batch_op.f('ix_documents_reissue_of_id'))
        batch_op.drop_index(batch_op.f('ix_documents_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_documents_agenda_item_id'))

    op.drop_table('documents')
