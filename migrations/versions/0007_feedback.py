"""feedback: forms per event, questions, requests and their links, responses (anonymous ones keep no person)

Revision ID: d64dff353a11
Revises: 2a16ac70e99e
Create Date: 2026-11-23 17:52:58.521505

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd64dff353a11'
down_revision = '2a16ac70e99e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feedback_survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('closes_at', sa.DateTime(), nullable=False),
    sa.Column('reminder_days', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('reminder_days >= 0', name=op.f('ck_feedback_survey_reminder_days_not_negative')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_feedback_survey_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_survey')),
    sa.UniqueConstraint('event_id', name='uq_feedback_survey_event')
    )
    op.create_table('feedback_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('hint', sa.String(length=500), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('built_in', sa.String(length=30), nullable=True),
    sa.Column('removed', sa.Boolean(), nullable=False),
    sa.CheckConstraint("built_in IS NULL OR built_in IN ('other_organisations', 'follow_up')", name=op.f('ck_feedback_question_built_in_known')),
    sa.CheckConstraint("kind IN ('rating', 'single', 'multiple', 'text', 'count', 'people')", name=op.f('ck_feedback_question_kind_known')),
    sa.ForeignKeyConstraint(['survey_id'], ['feedback_survey.id'], name=op.f('fk_feedback_question_survey_id_feedback_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_question')),
    sa.UniqueConstraint('survey_id', 'built_in', name='uq_feedback_question_survey_built_in')
    )
    with op.batch_alter_table('feedback_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_question_survey_id'), ['survey_id'], unique=False)

    op.create_table('feedback_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('answered', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_feedback_request_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['feedback_survey.id'], name=op.f('fk_feedback_request_survey_id_feedback_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_request')),
    sa.UniqueConstraint('survey_id', 'person_id', name='uq_feedback_request_survey_person')
    )
    with op.batch_alter_table('feedback_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_request_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_request_survey_id'), ['survey_id'], unique=False)

    op.create_table('feedback_response',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_feedback_response_person_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['survey_id'], ['feedback_survey.id'], name=op.f('fk_feedback_response_survey_id_feedback_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_response')),
    sa.UniqueConstraint('survey_id', 'person_id', name='uq_feedback_response_survey_person')
    )
    with op.batch_alter_table('feedback_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_response_survey_id'), ['survey_id'], unique=False)

    op.create_table('feedback_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['feedback_request.id'], name=op.f('fk_feedback_link_request_id_feedback_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_feedback_link_token_hash'))
    )
    with op.batch_alter_table('feedback_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_link_request_id'), ['request_id'], unique=False)



def downgrade():
    with op.batch_alter_table('feedback_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_link_request_id'))

    op.drop_table('feedback_link')
    with op.batch_alter_table('feedback_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_response_survey_id'))

    op.drop_table('feedback_response')
    with op.batch_alter_table('feedback_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_request_survey_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_request_person_id'))

    op.drop_table('feedback_request')
    with op.batch_alter_table('feedback_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_question_survey_id'))

    op.drop_table('feedback_question')
    op.drop_table('feedback_survey')
