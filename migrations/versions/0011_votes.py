"""votes, ballots, decisions, attendance register and substitution notices

Revision ID: 0011_votes
Revises: 0010_positions
Create Date: 2026-11-28 06:30:00

Votes with the composition, weights and quorum they used; who voted (one row per seat, unique) kept
apart from what was voted (record: with the voter; show of hands: with the group; secret: random
key, no time, no rowid); the Chair's decisions; the attendance register and substitution notices
(PROCEDURE.md rules 3 and 29-33).
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
    op.create_table('attendance_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sitting_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('member_state', sa.String(length=2), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_attendance_entries_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_attendance_entries_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sitting_id'], ['sittings.id'], name=op.f('fk_attendance_entries_sitting_id_sittings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_entries')),
    sa.UniqueConstraint('sitting_id', 'member_state', name=op.f('uq_attendance_entries_sitting_id_member_state')),
    sa.UniqueConstraint('sitting_id', 'participant_id', name=op.f('uq_attendance_entries_sitting_id_participant_id'))
    )
    with op.batch_alter_table('attendance_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_entries_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_entries_sitting_id'), ['sitting_id'], unique=False)

    op.create_table('substitution_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('substitute_id', sa.Integer(), nullable=False),
    sa.Column('replaces_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('sitting_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_substitution_notices_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_substitution_notices_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['replaces_id'], ['participants.id'], name=op.f('fk_substitution_notices_replaces_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sitting_id'], ['sittings.id'], name=op.f('fk_substitution_notices_sitting_id_sittings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['substitute_id'], ['participants.id'], name=op.f('fk_substitution_notices_substitute_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_substitution_notices'))
    )
    with op.batch_alter_table('substitution_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_substitution_notices_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_substitution_notices_substitute_id'), ['substitute_id'], unique=False)

    op.create_table('votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('paragraph_id', sa.Integer(), nullable=True),
    sa.Column('amendment_id', sa.Integer(), nullable=True),
    sa.Column('sitting_id', sa.Integer(), nullable=True),
    sa.Column('type', sa.Enum('show_of_hands', 'record', 'secret', name='votetype', native_enum=False, length=24), nullable=False),
    sa.Column('state', sa.Enum('open', 'closed', name='votestate', native_enum=False, length=24), nullable=False),
    sa.Column('majority', sa.Enum('simple', 'two_thirds', name='majority', native_enum=False, length=24), nullable=False),
    sa.Column('question', sa.String(length=500), nullable=False),
    sa.Column('weighting', sa.String(length=24), nullable=False),
    sa.Column('weights', sa.JSON(), nullable=False),
    sa.Column('composition', sa.JSON(), nullable=False),
    sa.Column('quorum', sa.JSON(), nullable=False),
    sa.Column('results', sa.JSON(), nullable=True),
    sa.Column('for_chair', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_votes_amendment_id_amendments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_votes_closed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_votes_draft_id_drafts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_votes_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_votes_opened_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['paragraph_id'], ['draft_paragraphs.id'], name=op.f('fk_votes_paragraph_id_draft_paragraphs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sitting_id'], ['sittings.id'], name=op.f('fk_votes_sitting_id_sittings'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_votes'))
    )
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_votes_amendment_id'), ['amendment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_votes_draft_id'), ['draft_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_votes_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_votes_paragraph_id'), ['paragraph_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_votes_sitting_id'), ['sitting_id'], unique=False)

    op.create_table('decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('paragraph_id', sa.Integer(), nullable=True),
    sa.Column('amendment_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=24), nullable=False),
    sa.Column('method', sa.String(length=40), nullable=False),
    sa.Column('sitting_id', sa.Integer(), nullable=True),
    sa.Column('vote_id', sa.Integer(), nullable=True),
    sa.Column('declared_by_id', sa.Integer(), nullable=True),
    sa.Column('declared_by_name', sa.String(length=200), nullable=False),
    sa.Column('for_chair', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_decisions_amendment_id_amendments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['declared_by_id'], ['users.id'], name=op.f('fk_decisions_declared_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_decisions_draft_id_drafts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_decisions_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['paragraph_id'], ['draft_paragraphs.id'], name=op.f('fk_decisions_paragraph_id_draft_paragraphs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sitting_id'], ['sittings.id'], name=op.f('fk_decisions_sitting_id_sittings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], name=op.f('fk_decisions_vote_id_votes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions'))
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_amendment_id'), ['amendment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_draft_id'), ['draft_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_paragraph_id'), ['paragraph_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_sitting_id'), ['sitting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_vote_id'), ['vote_id'], unique=False)

    op.create_table('vote_group_choices',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('group', sa.String(length=24), nullable=False),
    sa.Column('choice', sa.String(length=10), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], name=op.f('fk_vote_group_choices_vote_id_votes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_vote_group_choices')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('vote_group_choices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_group_choices_vote_id'), ['vote_id'], unique=False)

    op.create_table('vote_participations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('voter_key', sa.String(length=40), nullable=False),
    sa.Column('group', sa.String(length=24), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('choice_ref', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_vote_participations_participant_id_participants'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], name=op.f('fk_vote_participations_vote_id_votes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_participations')),
    sa.UniqueConstraint('vote_id', 'voter_key', name=op.f('uq_vote_participations_vote_id_voter_key'))
    )
    with op.batch_alter_table('vote_participations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_participations_vote_id'), ['vote_id'], unique=False)

    op.create_table('vote_record_choices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('voter_key', sa.String(length=40), nullable=False),
    sa.Column('group', sa.String(length=24), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('choice', sa.String(length=10), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_vote_record_choices_participant_id_participants'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], name=op.f('fk_vote_record_choices_vote_id_votes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vote_record_choices')),
    sa.UniqueConstraint('vote_id', 'voter_key', name=op.f('uq_vote_record_choices_vote_id_voter_key'))
    )
    with op.batch_alter_table('vote_record_choices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_record_choices_vote_id'), ['vote_id'], unique=False)

    op.create_table('vote_secret_choices',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('vote_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=10), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('receipt_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['vote_id'], ['votes.id'], name=op.f('fk_vote_secret_choices_vote_id_votes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_vote_secret_choices')),
    sa.UniqueConstraint('receipt_hash', name=op.f('uq_vote_secret_choices_receipt_hash')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('vote_secret_choices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vote_secret_choices_vote_id'), ['vote_id'], unique=False)



def downgrade():
    with op.batch_alter_table('vote_secret_choices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_secret_choices_vote_id'))

    op.drop_table('vote_secret_choices')
    with op.batch_alter_table('vote_record_choices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_record_choices_vote_id'))

    op.drop_table('vote_record_choices')
    with op.batch_alter_table('vote_participations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_participations_vote_id'))

    op.drop_table('vote_participations')
    with op.batch_alter_table('vote_group_choices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vote_group_choices_vote_id'))

    op.drop_table('vote_group_choices')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decisions_vote_id'))
        batch_op.drop_index(batch_op.f('ix_decisions_sitting_id'))
        batch_op.drop_index(batch_op.f('ix_decisions_paragraph_id'))
        batch_op.drop_index(batch_op.f('ix_decisions_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_decisions_draft_id'))
        batch_op.drop_index(batch_op.f('ix_decisions_amendment_id'))

    op.drop_table('decisions')
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_votes_sitting_id'))
        batch_op.drop_index(batch_op.f('ix_votes_paragraph_id'))
        batch_op.drop_index(batch_op.f('ix_votes_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_votes_draft_id'))
        batch_op.drop_index(batch_op.f('ix_votes_amendment_id'))

    op.drop_table('votes')
    with op.batch_alter_table('substitution_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_substitution_notices_substitute_id'))
        batch_op.drop_index(batch_op.f('ix_substitution_notices_meeting_id'))

    op.drop_table('substitution_notices')
    with op.batch_alter_table('attendance_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_entries_sitting_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_entries_participant_id'))

    op.drop_table('attendance_entries')
