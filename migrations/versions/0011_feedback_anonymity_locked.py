"""feedback: anonymity fixed with the first request; anonymous answers held by marks, not a per-person flag

A survey's `anonymity_locked` is set from its first request on (existing surveys with requests are
locked). `feedback_request.answered` goes: named forms know who answered from their responses, and
anonymous forms keep one `feedback_answered_mark` per answer, HMAC(SECRET_KEY, survey, person), which
names nobody (see cop/feedback/surveys.py). Existing answered requests of anonymous forms become marks,
so nobody can answer twice; the marks are computed with this app's SECRET_KEY.

Revision ID: ad0abf10879e
Revises: 0010_email_changes
Create Date: 2026-11-30 15:30:00.000000

"""
import hashlib
import hmac

import sqlalchemy as sa
from alembic import op
from flask import current_app

# revision identifiers, used by Alembic.
revision = 'ad0abf10879e'
down_revision = '0010_email_changes'
branch_labels = None
depends_on = None

survey = sa.table('feedback_survey', sa.column('id', sa.Integer), sa.column('anonymous', sa.Boolean),
                  sa.column('anonymity_locked', sa.Boolean))
request = sa.table('feedback_request', sa.column('id', sa.Integer), sa.column('survey_id', sa.Integer),
                   sa.column('person_id', sa.Integer), sa.column('answered', sa.Boolean))
response = sa.table('feedback_response', sa.column('survey_id', sa.Integer), sa.column('person_id', sa.Integer))
mark = sa.table('feedback_answered_mark', sa.column('survey_id', sa.Integer), sa.column('mark', sa.String))


def _mark(survey_id, person_id):
    # As cop.feedback.surveys.answered_mark: a migration must not import the app's code, which moves on.
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"feedback-answered:{survey_id}:{person_id}".encode(), hashlib.sha256).hexdigest()


def upgrade():
    with op.batch_alter_table('feedback_survey', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymity_locked', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(survey.update().where(
        sa.select(request.c.id).where(request.c.survey_id == survey.c.id).exists()).values(anonymity_locked=True))

    op.create_table('feedback_answered_mark',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('mark', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['feedback_survey.id'], name=op.f('fk_feedback_answered_mark_survey_id_feedback_survey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('survey_id', 'mark', name=op.f('pk_feedback_answered_mark'))
    )
    connection = op.get_bind()
    answered = connection.execute(
        sa.select(request.c.survey_id, request.c.person_id).join(survey, survey.c.id == request.c.survey_id)
        .where(survey.c.anonymous.is_(True), request.c.answered.is_(True))).all()
    if answered:
        op.bulk_insert(mark, [{"survey_id": s, "mark": _mark(s, p)} for s, p in answered])

    with op.batch_alter_table('feedback_request', schema=None) as batch_op:
        batch_op.drop_column('answered')


def downgrade():
    with op.batch_alter_table('feedback_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answered', sa.Boolean(), server_default=sa.false(), nullable=False))
    connection = op.get_bind()
    op.execute(request.update().where(sa.select(response.c.person_id).where(
        response.c.survey_id == request.c.survey_id, response.c.person_id == request.c.person_id).exists())
        .values(answered=True))
    marks = set(connection.execute(sa.select(mark.c.survey_id, mark.c.mark)).all())
    rows = connection.execute(sa.select(request.c.id, request.c.survey_id, request.c.person_id)).all()
    for request_id, survey_id, person_id in rows:
        if (survey_id, _mark(survey_id, person_id)) in marks:
            op.execute(request.update().where(request.c.id == request_id).values(answered=True))
    op.drop_table('feedback_answered_mark')
    with op.batch_alter_table('feedback_survey', schema=None) as batch_op:
        batch_op.drop_column('anonymity_locked')
