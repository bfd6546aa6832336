"""invitation calendar sequence: a person's own SEQUENCE steps (a CANCEL of their place, a return)

Revision ID: 5e1c0a9d7b21
Revises: 0012_account_sessions
Create Date: 2026-11-30 15:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1c0a9d7b21'
down_revision = '0012_account_sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_sequence', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('calendar_sequence')
