"""members' theme suggestions and votes (issue 22): whether a community takes them, the suggestions, the votes

Revision ID: 0021_theme_suggestions
Revises: 0020_jobs
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_theme_suggestions'
down_revision = '0020_jobs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('theme_suggestion_box',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_theme_suggestion_box_community_id_community'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('community_id', name=op.f('pk_theme_suggestion_box'))
    )
    op.create_table('theme_suggestion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('adopted_theme_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['adopted_theme_id'], ['theme.id'], name=op.f('fk_theme_suggestion_adopted_theme_id_theme'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], name=op.f('fk_theme_suggestion_author_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_theme_suggestion_community_id_community'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_suggestion'))
    )
    with op.batch_alter_table('theme_suggestion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_suggestion_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_theme_suggestion_community_id'), ['community_id'], unique=False)

    op.create_table('theme_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('suggestion_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_theme_vote_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['suggestion_id'], ['theme_suggestion.id'], name=op.f('fk_theme_vote_suggestion_id_theme_suggestion'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_vote')),
    sa.UniqueConstraint('suggestion_id', 'person_id', name='uq_theme_vote_once')
    )
    with op.batch_alter_table('theme_vote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_vote_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_theme_vote_suggestion_id'), ['suggestion_id'], unique=False)


def downgrade():
    with op.batch_alter_table('theme_vote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_vote_suggestion_id'))
        batch_op.drop_index(batch_op.f('ix_theme_vote_person_id'))
    op.drop_table('theme_vote')
    with op.batch_alter_table('theme_suggestion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_suggestion_community_id'))
        batch_op.drop_index(batch_op.f('ix_theme_suggestion_author_id'))
    op.drop_table('theme_suggestion')
    op.drop_table('theme_suggestion_box')
