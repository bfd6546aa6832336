"""door records and no-shows: a check-in can be undone, who did what is kept, a no-show is marked (issue 17)

Revision ID: 0015_door_records
Revises: 0014_registrations
Create Date: 2026-11-30 16:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_door_records'
down_revision = '0014_registrations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('no_show',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('marked_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_no_show_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_no_show_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_no_show')),
    sa.UniqueConstraint('event_id', 'person_id', name='uq_no_show_event_person')
    )
    with op.batch_alter_table('no_show', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_no_show_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_no_show_person_id'), ['person_id'], unique=False)
    op.create_table('door_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('by_person_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_door_record_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_door_record_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['by_person_id'], ['person.id'], name=op.f('fk_door_record_by_person_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_door_record'))
    )
    with op.batch_alter_table('door_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_door_record_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_door_record_person_id'), ['person_id'], unique=False)


def downgrade():
    op.drop_table('door_record')
    op.drop_table('no_show')
