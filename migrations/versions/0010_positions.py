"""group positions, statements and internal polls

Revision ID: 0010_positions
Revises: 0009_document_draft
Create Date: 2026-11-28 06:30:00

Group positions with their history (rule 27), attributed Government statements (rule 28), and
internal polls of a caucus or regional room with their answers. Every row names its draft and one
of a paragraph or an amendment.

"""
from alembic import op
import sqlalchemy as sa

import forum.db


# revision identifiers, used by Alembic.
revision = '0010_positions'
down_revision = '0009_document_draft'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('positions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_key', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=20), nullable=False),
    sa.Column('regional_group_id', sa.Integer(), nullable=True),
    sa.Column('stance', sa.Enum('support', 'oppose', 'reserve', 'none', name='stance', native_enum=False, length=24), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('stated_by_id', sa.Integer(), nullable=True),
    sa.Column('stated_by_name', sa.String(length=200), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_name', sa.String(length=200), nullable=False),
    sa.Column('for_chair', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('sitting_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('paragraph_id', sa.Integer(), nullable=True),
    sa.Column('amendment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_positions_amendment_id_amendments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_positions_draft_id_drafts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['paragraph_id'], ['draft_paragraphs.id'], name=op.f('fk_positions_paragraph_id_draft_paragraphs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_positions_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['regional_group_id'], ['regional_groups.id'], name=op.f('fk_positions_regional_group_id_regional_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sitting_id'], ['sittings.id'], name=op.f('fk_positions_sitting_id_sittings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stated_by_id'], ['participants.id'], name=op.f('fk_positions_stated_by_id_participants'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_positions')),
    sa.UniqueConstraint('item_key', 'holder', name=op.f('uq_positions_item_key_holder'))
    )
    op.create_index(op.f('ix_positions_amendment_id'), 'positions', ['amendment_id'], unique=False)
    op.create_index(op.f('ix_positions_draft_id'), 'positions', ['draft_id'], unique=False)
    op.create_index(op.f('ix_positions_paragraph_id'), 'positions', ['paragraph_id'], unique=False)
    op.create_table('position_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position_id', sa.Integer(), nullable=False),
    sa.Column('previous_stance', sa.Enum('support', 'oppose', 'reserve', 'none', name='stance', native_enum=False, length=24), nullable=True),
    sa.Column('stance', sa.Enum('support', 'oppose', 'reserve', 'none', name='stance', native_enum=False, length=24), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('stated_by_id', sa.Integer(), nullable=True),
    sa.Column('stated_by_name', sa.String(length=200), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_name', sa.String(length=200), nullable=False),
    sa.Column('for_chair', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('sitting_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['position_id'], ['positions.id'], name=op.f('fk_position_changes_position_id_positions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_position_changes_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sitting_id'], ['sittings.id'], name=op.f('fk_position_changes_sitting_id_sittings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stated_by_id'], ['participants.id'], name=op.f('fk_position_changes_stated_by_id_participants'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_position_changes'))
    )
    op.create_index(op.f('ix_position_changes_position_id'), 'position_changes', ['position_id'], unique=False)
    op.create_table('position_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_state', sa.String(length=2), nullable=False),
    sa.Column('regional_group_id', sa.Integer(), nullable=True),
    sa.Column('stance', sa.Enum('support', 'oppose', 'reserve', 'none', name='stance', native_enum=False, length=24), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_name', sa.String(length=200), nullable=False),
    sa.Column('for_chair', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('sitting_id', sa.Integer(), nullable=True),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('paragraph_id', sa.Integer(), nullable=True),
    sa.Column('amendment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_position_statements_amendment_id_amendments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_position_statements_draft_id_drafts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['paragraph_id'], ['draft_paragraphs.id'], name=op.f('fk_position_statements_paragraph_id_draft_paragraphs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_position_statements_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['regional_group_id'], ['regional_groups.id'], name=op.f('fk_position_statements_regional_group_id_regional_groups'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sitting_id'], ['sittings.id'], name=op.f('fk_position_statements_sitting_id_sittings'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_position_statements'))
    )
    op.create_index(op.f('ix_position_statements_amendment_id'), 'position_statements', ['amendment_id'], unique=False)
    op.create_index(op.f('ix_position_statements_draft_id'), 'position_statements', ['draft_id'], unique=False)
    op.create_index(op.f('ix_position_statements_paragraph_id'), 'position_statements', ['paragraph_id'], unique=False)
    op.create_index(op.f('ix_position_statements_member_state'), 'position_statements', ['member_state'], unique=False)
    op.create_table('polls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=300), nullable=False),
    sa.Column('state', sa.Enum('open', 'closed', name='pollstate', native_enum=False, length=24), nullable=False),
    sa.Column('closes_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_by_name', sa.String(length=200), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('paragraph_id', sa.Integer(), nullable=True),
    sa.Column('amendment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_polls_amendment_id_amendments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_polls_draft_id_drafts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['paragraph_id'], ['draft_paragraphs.id'], name=op.f('fk_polls_paragraph_id_draft_paragraphs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_polls_closed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_polls_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_polls_opened_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], name=op.f('fk_polls_space_id_spaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_polls'))
    )
    op.create_index(op.f('ix_polls_amendment_id'), 'polls', ['amendment_id'], unique=False)
    op.create_index(op.f('ix_polls_draft_id'), 'polls', ['draft_id'], unique=False)
    op.create_index(op.f('ix_polls_paragraph_id'), 'polls', ['paragraph_id'], unique=False)
    op.create_index(op.f('ix_polls_meeting_id'), 'polls', ['meeting_id'], unique=False)
    op.create_index(op.f('ix_polls_space_id'), 'polls', ['space_id'], unique=False)
    op.create_table('poll_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.Enum('support', 'oppose', 'abstain', name='pollchoice', native_enum=False, length=24), nullable=False),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_poll_answers_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_answers_poll_id_polls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_answers')),
    sa.UniqueConstraint('poll_id', 'participant_id', name=op.f('uq_poll_answers_poll_id_participant_id'))
    )
    op.create_index(op.f('ix_poll_answers_participant_id'), 'poll_answers', ['participant_id'], unique=False)
    op.create_index(op.f('ix_poll_answers_poll_id'), 'poll_answers', ['poll_id'], unique=False)


def downgrade():
    op.drop_table('poll_answers')
    op.drop_table('polls')
    op.drop_table('position_statements')
    op.drop_table('position_changes')
    op.drop_table('positions')
