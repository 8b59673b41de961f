"""drafts, paragraphs, amendments

Revision ID: 0006_drafting
Revises: 0005_documents
Create Date: 2026-11-28 04:30:00

Draft conclusions (parts, paragraphs with stable labels, texts per language and version), drafting
groups, amendments with their sponsors, seconders, history and compilations (PROCEDURE.md §4–§5).
"""
from alembic import op
import sqlalchemy as sa

import forum.db


# revision identifiers, used by Alembic.
revision = '0006_drafting'
down_revision = '0005_documents'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('symbol', sa.String(length=100), nullable=False),
    sa.Column('original_language', sa.String(length=2), nullable=False),
    sa.Column('amendment_prefix', sa.String(length=10), nullable=False),
    sa.Column('state', sa.Enum('preparation', 'negotiation', name='draftstate', native_enum=False, length=24), nullable=False),
    sa.Column('opened_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('marshal_order', sa.JSON(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_drafts_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_drafts_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drafts')),
    sa.UniqueConstraint('meeting_id', 'symbol', name=op.f('uq_drafts_meeting_id_symbol'))
    )
    op.create_index(op.f('ix_drafts_meeting_id'), 'drafts', ['meeting_id'], unique=False)
    op.create_table('amendment_compilations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('circulated_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('circulated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['circulated_by_id'], ['users.id'], name=op.f('fk_amendment_compilations_circulated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_amendment_compilations_draft_id_drafts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendment_compilations')),
    sa.UniqueConstraint('draft_id', 'number', name=op.f('uq_amendment_compilations_draft_id_number'))
    )
    op.create_index(op.f('ix_amendment_compilations_draft_id'), 'amendment_compilations', ['draft_id'], unique=False)
    op.create_table('draft_parts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_draft_parts_draft_id_drafts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_parts'))
    )
    op.create_index(op.f('ix_draft_parts_draft_id'), 'draft_parts', ['draft_id'], unique=False)
    op.create_table('drafting_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('mandate', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_drafting_groups_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_drafting_groups_draft_id_drafts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], name=op.f('fk_drafting_groups_space_id_spaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_drafting_groups')),
    sa.UniqueConstraint('space_id', name=op.f('uq_drafting_groups_space_id'))
    )
    op.create_index(op.f('ix_drafting_groups_draft_id'), 'drafting_groups', ['draft_id'], unique=False)
    op.create_table('draft_paragraphs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('preamble', 'paragraph', 'subparagraph', name='paragraphkind', native_enum=False, length=24), nullable=False),
    sa.Column('label', sa.String(length=30), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('pending', 'under_discussion', 'adopted', 'adopted_as_amended', 'deleted', 'deferred', 'bracketed', name='paragraphstate', native_enum=False, length=24), nullable=False),
    sa.Column('drafting_group_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_draft_paragraphs_draft_id_drafts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['drafting_group_id'], ['drafting_groups.id'], name=op.f('fk_draft_paragraphs_drafting_group_id_drafting_groups'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['draft_paragraphs.id'], name=op.f('fk_draft_paragraphs_parent_id_draft_paragraphs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['part_id'], ['draft_parts.id'], name=op.f('fk_draft_paragraphs_part_id_draft_parts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_paragraphs')),
    sa.UniqueConstraint('draft_id', 'label', name=op.f('uq_draft_paragraphs_draft_id_label'))
    )
    op.create_index(op.f('ix_draft_paragraphs_draft_id'), 'draft_paragraphs', ['draft_id'], unique=False)
    op.create_index(op.f('ix_draft_paragraphs_part_id'), 'draft_paragraphs', ['part_id'], unique=False)
    op.create_table('amendments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('paragraph_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('modify', 'delete', 'insert_after', name='amendmentkind', native_enum=False, length=24), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('base_text', sa.Text(), nullable=False),
    sa.Column('base_version', sa.Integer(), nullable=False),
    sa.Column('diff', sa.JSON(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'returned', 'validated', 'circulated', 'under_discussion', 'adopted', 'adopted_as_sub_amended', 'rejected', 'withdrawn', 'fell', 'not_seconded', 'not_moved', 'merged', name='amendmentstate', native_enum=False, length=24), nullable=False),
    sa.Column('mover_kind', sa.Enum('state', 'co_sponsored', 'regional_group', 'employer_group', 'worker_group', 'joint', 'drafting_group', name='moverkind', native_enum=False, length=24), nullable=False),
    sa.Column('regional_group_id', sa.Integer(), nullable=True),
    sa.Column('non_supporting', sa.JSON(), nullable=False),
    sa.Column('drafting_group_id', sa.Integer(), nullable=True),
    sa.Column('oral', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('circulated_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('compilation_id', sa.Integer(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('inserted_paragraph_id', sa.Integer(), nullable=True),
    sa.Column('flagged', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('flag_reason', sa.String(length=40), nullable=False),
    sa.Column('flagged_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_from', sa.String(length=24), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['compilation_id'], ['amendment_compilations.id'], name=op.f('fk_amendments_compilation_id_amendment_compilations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['participants.id'], name=op.f('fk_amendments_created_by_id_participants'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_amendments_draft_id_drafts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['drafting_group_id'], ['drafting_groups.id'], name=op.f('fk_amendments_drafting_group_id_drafting_groups'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['flagged_by_id'], ['amendments.id'], name=op.f('fk_amendments_flagged_by_id_amendments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['inserted_paragraph_id'], ['draft_paragraphs.id'], name=op.f('fk_amendments_inserted_paragraph_id_draft_paragraphs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['merged_into_id'], ['amendments.id'], name=op.f('fk_amendments_merged_into_id_amendments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['paragraph_id'], ['draft_paragraphs.id'], name=op.f('fk_amendments_paragraph_id_draft_paragraphs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['amendments.id'], name=op.f('fk_amendments_parent_id_amendments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['regional_group_id'], ['regional_groups.id'], name=op.f('fk_amendments_regional_group_id_regional_groups'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendments')),
    sa.UniqueConstraint('draft_id', 'number', name=op.f('uq_amendments_draft_id_number'))
    )
    op.create_index(op.f('ix_amendments_draft_id'), 'amendments', ['draft_id'], unique=False)
    op.create_index(op.f('ix_amendments_paragraph_id'), 'amendments', ['paragraph_id'], unique=False)
    op.create_index(op.f('ix_amendments_parent_id'), 'amendments', ['parent_id'], unique=False)
    op.create_index(op.f('ix_amendments_state'), 'amendments', ['state'], unique=False)
    op.create_table('paragraph_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('paragraph_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('from_state', sa.String(length=24), nullable=True),
    sa.Column('to_state', sa.String(length=24), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('for_chair', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_paragraph_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['paragraph_id'], ['draft_paragraphs.id'], name=op.f('fk_paragraph_events_paragraph_id_draft_paragraphs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paragraph_events'))
    )
    op.create_index(op.f('ix_paragraph_events_paragraph_id'), 'paragraph_events', ['paragraph_id'], unique=False)
    op.create_table('amendment_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('from_state', sa.String(length=24), nullable=True),
    sa.Column('to_state', sa.String(length=24), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('for_chair', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_amendment_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_amendment_events_amendment_id_amendments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendment_events'))
    )
    op.create_index(op.f('ix_amendment_events_amendment_id'), 'amendment_events', ['amendment_id'], unique=False)
    op.create_table('amendment_seconders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('member_state', sa.String(length=2), nullable=True),
    sa.Column('group', sa.Enum('government', 'employer', 'worker', 'none', name='group', native_enum=False, length=24), nullable=False),
    sa.Column('from_floor', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_amendment_seconders_amendment_id_amendments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_amendment_seconders_participant_id_participants'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_amendment_seconders_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendment_seconders')),
    sa.UniqueConstraint('amendment_id', 'key', name=op.f('uq_amendment_seconders_amendment_id_key'))
    )
    op.create_index(op.f('ix_amendment_seconders_amendment_id'), 'amendment_seconders', ['amendment_id'], unique=False)
    op.create_table('amendment_sponsors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('member_state', sa.String(length=2), nullable=True),
    sa.Column('group', sa.Enum('government', 'employer', 'worker', 'none', name='group', native_enum=False, length=24), nullable=True),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_amendment_sponsors_amendment_id_amendments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_amendment_sponsors'))
    )
    op.create_index(op.f('ix_amendment_sponsors_amendment_id'), 'amendment_sponsors', ['amendment_id'], unique=False)
    op.create_index(op.f('ix_amendment_sponsors_member_state'), 'amendment_sponsors', ['member_state'], unique=False)
    op.create_table('paragraph_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('paragraph_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('amendment_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_paragraph_texts_amendment_id_amendments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_paragraph_texts_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['paragraph_id'], ['draft_paragraphs.id'], name=op.f('fk_paragraph_texts_paragraph_id_draft_paragraphs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paragraph_texts')),
    sa.UniqueConstraint('paragraph_id', 'language', 'version', name=op.f('uq_paragraph_texts_paragraph_id_language_version'))
    )
    op.create_index(op.f('ix_paragraph_texts_paragraph_id'), 'paragraph_texts', ['paragraph_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_paragraph_texts_paragraph_id'), table_name='paragraph_texts')
    op.drop_table('paragraph_texts')
    op.drop_index(op.f('ix_amendment_sponsors_member_state'), table_name='amendment_sponsors')
    op.drop_index(op.f('ix_amendment_sponsors_amendment_id'), table_name='amendment_sponsors')
    op.drop_table('amendment_sponsors')
    op.drop_index(op.f('ix_amendment_seconders_amendment_id'), table_name='amendment_seconders')
    op.drop_table('amendment_seconders')
    op.drop_index(op.f('ix_amendment_events_amendment_id'), table_name='amendment_events')
    op.drop_table('amendment_events')
    op.drop_index(op.f('ix_paragraph_events_paragraph_id'), table_name='paragraph_events')
    op.drop_table('paragraph_events')
    op.drop_index(op.f('ix_amendments_state'), table_name='amendments')
    op.drop_index(op.f('ix_amendments_parent_id'), table_name='amendments')
    op.drop_index(op.f('ix_amendments_paragraph_id'), table_name='amendments')
    op.drop_index(op.f('ix_amendments_draft_id'), table_name='amendments')
    op.drop_table('amendments')
    op.drop_index(op.f('ix_draft_paragraphs_part_id'), table_name='draft_paragraphs')
    op.drop_index(op.f('ix_draft_paragraphs_draft_id'), table_name='draft_paragraphs')
    op.drop_table('draft_paragraphs')
    op.drop_index(op.f('ix_drafting_groups_draft_id'), table_name='drafting_groups')
    op.drop_table('drafting_groups')
    op.drop_index(op.f('ix_draft_parts_draft_id'), table_name='draft_parts')
    op.drop_table('draft_parts')
    op.drop_index(op.f('ix_amendment_compilations_draft_id'), table_name='amendment_compilations')
    op.drop_table('amendment_compilations')
    op.drop_index(op.f('ix_drafts_meeting_id'), table_name='drafts')
    op.drop_table('drafts')
