"""the report of the meeting: interventions, corrections and adoption

Revision ID: 0013_proceedings
Revises: 0012_sittings
Create Date: 2026-11-28 06:40:00

"""
from alembic import op
import sqlalchemy as sa

import forum.db


# revision identifiers, used by Alembic.
revision = '0013_proceedings'
down_revision = '0012_sittings'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'published', 'adopted', name='reportstate', native_enum=False, length=24), nullable=False),
    sa.Column('published_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('correction_deadline', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('adopted_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('adopted_by_id', sa.Integer(), nullable=True),
    sa.Column('adopted_by_name', sa.String(length=200), nullable=False),
    sa.Column('adoption_method', sa.String(length=40), nullable=False),
    sa.Column('adoption_for_chair', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('adoption_sitting_id', sa.Integer(), nullable=True),
    sa.Column('adoption_note', sa.String(length=500), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['adopted_by_id'], ['users.id'], name=op.f('fk_reports_adopted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['adoption_sitting_id'], ['sittings.id'], name=op.f('fk_reports_adoption_sitting_id_sittings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_reports_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_reports_published_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('meeting_id', name=op.f('uq_reports_meeting_id'))
    )
    op.create_table('interventions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('sitting_id', sa.Integer(), nullable=False),
    sa.Column('speaker_id', sa.Integer(), nullable=False),
    sa.Column('speaker_request_id', sa.Integer(), nullable=True),
    sa.Column('capacity', sa.Enum('chair', 'employer_vice_chair', 'worker_vice_chair', 'government_vice_chair', 'reporter', 'government_member', 'employer_member', 'worker_member', 'observer', 'secretariat', name='speakercapacity', native_enum=False, length=24), nullable=False),
    sa.Column('group', sa.Enum('government', 'employer', 'worker', 'none', name='group', native_enum=False, length=24), nullable=False),
    sa.Column('member_state', sa.String(length=2), nullable=True),
    sa.Column('behalf_kind', sa.Enum('group', 'regional_group', 'state', name='behalfkind', native_enum=False, length=24), nullable=True),
    sa.Column('on_behalf_of', sa.String(length=20), nullable=True),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('paragraph_id', sa.Integer(), nullable=True),
    sa.Column('amendment_id', sa.Integer(), nullable=True),
    sa.Column('started_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('speaking_seconds', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('written_by_id', sa.Integer(), nullable=True),
    sa.Column('written_by_name', sa.String(length=200), nullable=False),
    sa.Column('updated_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['amendment_id'], ['amendments.id'], name=op.f('fk_interventions_amendment_id_amendments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['draft_id'], ['drafts.id'], name=op.f('fk_interventions_draft_id_drafts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_interventions_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['paragraph_id'], ['draft_paragraphs.id'], name=op.f('fk_interventions_paragraph_id_draft_paragraphs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sitting_id'], ['sittings.id'], name=op.f('fk_interventions_sitting_id_sittings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['speaker_id'], ['participants.id'], name=op.f('fk_interventions_speaker_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['speaker_request_id'], ['speaker_requests.id'], name=op.f('fk_interventions_speaker_request_id_speaker_requests'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['written_by_id'], ['users.id'], name=op.f('fk_interventions_written_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interventions')),
    sa.UniqueConstraint('speaker_request_id', name=op.f('uq_interventions_speaker_request_id'))
    )
    op.create_index(op.f('ix_interventions_amendment_id'), 'interventions', ['amendment_id'], unique=False)
    op.create_index(op.f('ix_interventions_draft_id'), 'interventions', ['draft_id'], unique=False)
    op.create_index(op.f('ix_interventions_meeting_id'), 'interventions', ['meeting_id'], unique=False)
    op.create_index(op.f('ix_interventions_paragraph_id'), 'interventions', ['paragraph_id'], unique=False)
    op.create_index(op.f('ix_interventions_sitting_id'), 'interventions', ['sitting_id'], unique=False)
    op.create_index(op.f('ix_interventions_speaker_id'), 'interventions', ['speaker_id'], unique=False)
    op.create_table('report_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('intervention_id', sa.Integer(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('original', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('proposed', 'accepted', 'declined', name='correctionstate', native_enum=False, length=24), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_name', sa.String(length=200), nullable=False),
    sa.Column('decided_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('history', sa.JSON(), nullable=False),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_report_corrections_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['intervention_id'], ['interventions.id'], name=op.f('fk_report_corrections_intervention_id_interventions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['participants.id'], name=op.f('fk_report_corrections_proposed_by_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_corrections'))
    )
    op.create_index(op.f('ix_report_corrections_intervention_id'), 'report_corrections', ['intervention_id'], unique=False)
    op.create_index(op.f('ix_report_corrections_proposed_by_id'), 'report_corrections', ['proposed_by_id'], unique=False)
    op.create_index(op.f('ix_report_corrections_state'), 'report_corrections', ['state'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_report_corrections_state'), table_name='report_corrections')
    op.drop_index(op.f('ix_report_corrections_proposed_by_id'), table_name='report_corrections')
    op.drop_index(op.f('ix_report_corrections_intervention_id'), table_name='report_corrections')
    op.drop_table('report_corrections')
    op.drop_index(op.f('ix_interventions_speaker_id'), table_name='interventions')
    op.drop_index(op.f('ix_interventions_sitting_id'), table_name='interventions')
    op.drop_index(op.f('ix_interventions_paragraph_id'), table_name='interventions')
    op.drop_index(op.f('ix_interventions_meeting_id'), table_name='interventions')
    op.drop_index(op.f('ix_interventions_draft_id'), table_name='interventions')
    op.drop_index(op.f('ix_interventions_amendment_id'), table_name='interventions')
    op.drop_table('interventions')
    op.drop_table('reports')
