"""action learning set formations, workforce exchange pairs, line managers

Revision ID: 94d18a952af7
Revises: d64dff353a11
Create Date: 2026-11-23 17:50:27.455886

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '94d18a952af7'
down_revision = 'd64dff353a11'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exchange_pair',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('first_id', sa.Integer(), nullable=False),
    sa.Column('second_id', sa.Integer(), nullable=False),
    sa.Column('shared_interests', sa.String(length=500), nullable=False),
    sa.Column('introduced_at', sa.DateTime(), nullable=False),
    sa.Column('introduced_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('first_id < second_id', name=op.f('ck_exchange_pair_ordered_pair')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_exchange_pair_community_id_community'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['first_id'], ['person.id'], name=op.f('fk_exchange_pair_first_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['introduced_by_id'], ['person.id'], name=op.f('fk_exchange_pair_introduced_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['second_id'], ['person.id'], name=op.f('fk_exchange_pair_second_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_pair')),
    sa.UniqueConstraint('community_id', 'first_id', 'second_id', name='uq_exchange_pair_people')
    )
    with op.batch_alter_table('exchange_pair', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_pair_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_pair_first_id'), ['first_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_pair_second_id'), ['second_id'], unique=False)

    op.create_table('set_formation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('sets', sa.JSON(), nullable=False),
    sa.Column('score', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('series_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('proposed', 'created')", name=op.f('ck_set_formation_status_known')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_set_formation_community_id_community'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_set_formation_created_by_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_set_formation'))
    )
    with op.batch_alter_table('set_formation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_set_formation_community_id'), ['community_id'], unique=False)

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('line_manager_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_person_line_manager_id'), ['line_manager_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_person_line_manager_id_person'), 'person', ['line_manager_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_person_line_manager_id_person'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_person_line_manager_id'))
        batch_op.drop_column('line_manager_id')

    with op.batch_alter_table('set_formation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_set_formation_community_id'))

    op.drop_table('set_formation')
    with op.batch_alter_table('exchange_pair', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_pair_second_id'))
        batch_op.drop_index(batch_op.f('ix_exchange_pair_first_id'))
        batch_op.drop_index(batch_op.f('ix_exchange_pair_community_id'))

    op.drop_table('exchange_pair')
