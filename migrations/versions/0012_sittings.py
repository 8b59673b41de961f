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
    op.create_table('live_sittings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sitting_id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('paragraph_id', sa.Integer(), nullable=True),
    sa.Column('amendment_id', sa.Integer(), nullable=True),
    sa.Column('announcement', sa.String(length=300), nullable=False),
    sa.Column('made_live_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('timer_started_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('timer_seconds', sa.Integer(), nullable=True),
    sa.Column('timer_request_id', sa.Integer(), nullable=True),
    sa.Column('default_limit_seconds', sa.Integer(), nullable=False),
    sa.Column('objections_called_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('objections_item', sa.String(length=40), nullable=False),
    sa.Column('observers_invited', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('oral_draft', sa.JSON(), nullable=True),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_live_sittings_amendment_id_amendments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_live_sittings_draft_id_drafts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['made_live_by_id'], ['users.id'], name=op.f('fk_live_sittings_made_live_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['paragraph_id'], ['draft_paragraphs.id'], name=op.f('fk_live_sittings_paragraph_id_draft_paragraphs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sitting_id'], ['sittings.id'], name=op.f('fk_live_sittings_sitting_id_sittings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_sittings')),
    sa.UniqueConstraint('sitting_id', name=op.f('uq_live_sittings_sitting_id'))
    )
    op.create_index(op.f('ix_live_sittings_draft_id'), 'live_sittings', ['draft_id'], unique=False)
    op.create_table('speaker_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sitting_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('speak', 'point_of_order', 'objection', 'reply', name='speakerkind', native_enum=False, length=24), nullable=False),
    sa.Column('category', sa.Enum('spokesperson', 'regional_group', 'government', 'member', 'observer', name='speakercategory', native_enum=False, length=24), nullable=False),
    sa.Column('group', sa.Enum('government', 'employer', 'worker', 'none', name='group', native_enum=False, length=24), nullable=False),
    sa.Column('member_state', sa.String(length=2), nullable=True),
    sa.Column('on_behalf_of', sa.String(length=20), nullable=True),
    sa.Column('state', sa.Enum('waiting', 'speaking', 'done', 'withdrawn', 'removed', name='requeststate', native_enum=False, length=24), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('time_limit_seconds', sa.Integer(), nullable=True),
    sa.Column('item_key', sa.String(length=40), nullable=False),
    sa.Column('granted_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('spoken_seconds', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_speaker_requests_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_speaker_requests_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sitting_id'], ['sittings.id'], name=op.f('fk_speaker_requests_sitting_id_sittings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_speaker_requests'))
    )
    op.create_index(op.f('ix_speaker_requests_participant_id'), 'speaker_requests', ['participant_id'], unique=False)
    op.create_index(op.f('ix_speaker_requests_sitting_id'), 'speaker_requests', ['sitting_id'], unique=False)
    op.create_index(op.f('ix_speaker_requests_state'), 'speaker_requests', ['state'], unique=False)
    op.create_table('sitting_script_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sitting_id', sa.Integer(), nullable=False),
    sa.Column('item_key', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sitting_id'], ['sittings.id'], name=op.f('fk_sitting_script_notes_sitting_id_sittings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_sitting_script_notes_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sitting_script_notes')),
    sa.UniqueConstraint('sitting_id', 'item_key', name=op.f('uq_sitting_script_notes_sitting_id_item_key'))
    )
    op.create_index(op.f('ix_sitting_script_notes_sitting_id'), 'sitting_script_notes', ['sitting_id'], unique=False)
    op.create_table('sitting_officer_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sitting_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=False),
    sa.Column('body', sa.String(length=500), nullable=False),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_sitting_officer_messages_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sitting_id'], ['sittings.id'], name=op.f('fk_sitting_officer_messages_sitting_id_sittings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sitting_officer_messages'))
    )
    op.create_index(op.f('ix_sitting_officer_messages_sitting_id'), 'sitting_officer_messages', ['sitting_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_sitting_officer_messages_sitting_id'), table_name='sitting_officer_messages')
    op.drop_table('sitting_officer_messages')
    op.drop_index(op.f('ix_sitting_script_notes_sitting_id'), table_name='sitting_script_notes')
    op.drop_table('sitting_script_notes')
    op.drop_index(op.f('ix_speaker_requests_state'), table_name='speaker_requests')
    op.drop_index(op.f('ix_speaker_requests_sitting_id'), table_name='speaker_requests')
    op.drop_index(op.f('ix_speaker_requests_participant_id'), table_name='speaker_requests')
    op.drop_table('speaker_requests')
    op.drop_index(op.f('ix_live_sittings_draft_id'), table_name='live_sittings')
    op.drop_table('live_sittings')
