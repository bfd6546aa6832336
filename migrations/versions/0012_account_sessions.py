"""account sessions: one row per signed-in browser, so sign-out and password changes end sessions on the server

Revision ID: 0012_account_sessions
Revises: ad0abf10879e (feedback anonymity locked)
Create Date: 2026-11-30 15:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_account_sessions'
down_revision = 'ad0abf10879e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_account_session_account_id_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_account_session_token_hash'))
    )
    with op.batch_alter_table('account_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_session_account_id'), ['account_id'], unique=False)


def downgrade():
    with op.batch_alter_table('account_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_session_account_id'))

    op.drop_table('account_session')
