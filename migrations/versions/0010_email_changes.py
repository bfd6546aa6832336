"""e-mail address changes, confirmed from the new address

Revision ID: 0010_email_changes
Revises: 0009_member_records
Create Date: 2026-11-30 15:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_email_changes'
down_revision = '0009_member_records'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('email_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('new_email', sa.String(length=254), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_email_change_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_change')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_email_change_token_hash'))
    )
    with op.batch_alter_table('email_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_change_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('email_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_change_person_id'))
    op.drop_table('email_change')
