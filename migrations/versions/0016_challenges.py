"""challenges and ideas: challenges, ideas, comments, supports, the pipeline's moves, moderation log, personal links, digest notices (issue 21)

Revision ID: 0016_challenges
Revises: 0015_door_records
Create Date: 2026-11-30 18:38:12.642956

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_challenges'
down_revision = '0015_door_records'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('challenge_stage_name',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=30), nullable=False),
    sa.Column('label', sa.String(length=60), nullable=False),
    sa.CheckConstraint("stage IN ('submitted', 'under_review', 'shortlisted', 'in_development', 'adopted', 'not_taken_forward')", name=op.f('ck_challenge_stage_name_stage_known')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_challenge_stage_name_community_id_community'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_challenge_stage_name')),
    sa.UniqueConstraint('community_id', 'stage', name='uq_challenge_stage_name_community_stage')
    )
    with op.batch_alter_table('challenge_stage_name', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_challenge_stage_name_community_id'), ['community_id'], unique=False)

    op.create_table('challenge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('background', sa.Text(), nullable=False),
    sa.Column('audience', sa.String(length=10), nullable=False),
    sa.Column('allow_anonymous', sa.Boolean(), nullable=False),
    sa.Column('opens_at', sa.DateTime(), nullable=False),
    sa.Column('closes_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("audience IN ('members', 'link')", name=op.f('ck_challenge_audience_known')),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_challenge_closes_after_opening')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_challenge_community_id_community'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_challenge_created_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_challenge_event_id_event'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_challenge'))
    )
    with op.batch_alter_table('challenge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_challenge_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_challenge_event_id'), ['event_id'], unique=False)

    op.create_table('challenge_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('challenge_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], name=op.f('fk_challenge_link_challenge_id_challenge'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_challenge_link_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_challenge_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_challenge_link_token_hash'))
    )
    with op.batch_alter_table('challenge_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_challenge_link_challenge_id'), ['challenge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_challenge_link_person_id'), ['person_id'], unique=False)

    op.create_table('idea',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('challenge_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('stage', sa.String(length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('moved_at', sa.DateTime(), nullable=True),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("stage IN ('submitted', 'under_review', 'shortlisted', 'in_development', 'adopted', 'not_taken_forward')", name=op.f('ck_idea_stage_known')),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], name=op.f('fk_idea_author_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], name=op.f('fk_idea_challenge_id_challenge'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['merged_into_id'], ['idea.id'], name=op.f('fk_idea_merged_into_id_idea'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea'))
    )
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_challenge_id'), ['challenge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_merged_into_id'), ['merged_into_id'], unique=False)

    op.create_table('idea_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('hidden_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], name=op.f('fk_idea_comment_author_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_idea_comment_idea_id_idea'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['idea_comment.id'], name=op.f('fk_idea_comment_parent_id_idea_comment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_comment'))
    )
    with op.batch_alter_table('idea_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_comment_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_comment_idea_id'), ['idea_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_comment_parent_id'), ['parent_id'], unique=False)

    op.create_table('idea_move',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('from_stage', sa.String(length=30), nullable=False),
    sa.Column('to_stage', sa.String(length=30), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['person.id'], name=op.f('fk_idea_move_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_idea_move_idea_id_idea'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_move'))
    )
    with op.batch_alter_table('idea_move', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_move_idea_id'), ['idea_id'], unique=False)

    op.create_table('idea_support',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_idea_support_idea_id_idea'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_idea_support_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_support')),
    sa.UniqueConstraint('idea_id', 'person_id', name='uq_idea_support_idea_person')
    )
    with op.batch_alter_table('idea_support', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_support_idea_id'), ['idea_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_support_person_id'), ['person_id'], unique=False)

    op.create_table('idea_moderation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('challenge_id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=True),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('other_idea_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("action IN ('hide', 'show', 'merge')", name=op.f('ck_idea_moderation_action_known')),
    sa.ForeignKeyConstraint(['by_id'], ['person.id'], name=op.f('fk_idea_moderation_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenge.id'], name=op.f('fk_idea_moderation_challenge_id_challenge'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['comment_id'], ['idea_comment.id'], name=op.f('fk_idea_moderation_comment_id_idea_comment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_idea_moderation_idea_id_idea'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['other_idea_id'], ['idea.id'], name=op.f('fk_idea_moderation_other_idea_id_idea'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_moderation'))
    )
    with op.batch_alter_table('idea_moderation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_moderation_challenge_id'), ['challenge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_moderation_idea_id'), ['idea_id'], unique=False)

    op.create_table('idea_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('move_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['move_id'], ['idea_move.id'], name=op.f('fk_idea_notice_move_id_idea_move'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_idea_notice_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_notice'))
    )
    with op.batch_alter_table('idea_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_notice_move_id'), ['move_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_notice_person_id'), ['person_id'], unique=False)



def downgrade():
    with op.batch_alter_table('idea_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_notice_person_id'))
        batch_op.drop_index(batch_op.f('ix_idea_notice_move_id'))

    op.drop_table('idea_notice')
    with op.batch_alter_table('idea_moderation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_moderation_idea_id'))
        batch_op.drop_index(batch_op.f('ix_idea_moderation_challenge_id'))

    op.drop_table('idea_moderation')
    with op.batch_alter_table('idea_support', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_support_person_id'))
        batch_op.drop_index(batch_op.f('ix_idea_support_idea_id'))

    op.drop_table('idea_support')
    with op.batch_alter_table('idea_move', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_move_idea_id'))

    op.drop_table('idea_move')
    with op.batch_alter_table('idea_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_comment_parent_id'))
        batch_op.drop_index(batch_op.f('ix_idea_comment_idea_id'))
        batch_op.drop_index(batch_op.f('ix_idea_comment_author_id'))

    op.drop_table('idea_comment')
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_merged_into_id'))
        batch_op.drop_index(batch_op.f('ix_idea_challenge_id'))
        batch_op.drop_index(batch_op.f('ix_idea_author_id'))

    op.drop_table('idea')
    with op.batch_alter_table('challenge_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_challenge_link_person_id'))
        batch_op.drop_index(batch_op.f('ix_challenge_link_challenge_id'))

    op.drop_table('challenge_link')
    with op.batch_alter_table('challenge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_challenge_event_id'))
        batch_op.drop_index(batch_op.f('ix_challenge_community_id'))

    op.drop_table('challenge')
    with op.batch_alter_table('challenge_stage_name', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_challenge_stage_name_community_id'))

    op.drop_table('challenge_stage_name')
