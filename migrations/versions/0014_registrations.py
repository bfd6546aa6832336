"""registration: public registrations confirmed by e-mail (and approved, where the event wants it),
shared links with a channel tag, and each invitation's channel (how the person came)

Revision ID: 0014_registrations
Revises: 5e1c0a9d7b21 (invitation calendar sequence)
Create Date: 2026-11-30 16:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = '0014_registrations'
down_revision = '5e1c0a9d7b21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=40), nullable=False, server_default=''))
    op.create_table(
        'shared_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=40), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_shared_link_created_by_id_person'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_shared_link_event_id_event'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_shared_link')),
        sa.UniqueConstraint('event_id', 'channel', name='uq_shared_link_event_channel'),
    )
    with op.batch_alter_table('shared_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shared_link_event_id'), ['event_id'], unique=False)
    op.create_table(
        'registration',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('organisation', sa.String(length=200), nullable=False),
        sa.Column('sector', sa.String(length=40), nullable=False),
        sa.Column('place', sa.String(length=120), nullable=False),
        sa.Column('profession', sa.String(length=40), nullable=False),
        sa.Column('dietary_needs', sa.Text(), nullable=False),
        sa.Column('access_needs', sa.Text(), nullable=False),
        sa.Column('channel', sa.String(length=40), nullable=False),
        sa.Column('whole_series', sa.Boolean(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('mailed', sa.Boolean(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('invitation_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("state IN ('pending', 'confirmed', 'awaiting', 'approved', 'declined')", name=op.f('ck_registration_state_known')),
        sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_registration_community_id_community'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_registration_event_id_event'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['invitation_id'], ['invitation.id'],
                                name=op.f('fk_registration_invitation_id_invitation'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_registration_token_hash')),
    )
    op.create_table(
        'registration_setting',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('needs_approval', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_registration_setting_event_id_event'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('event_id', name=op.f('pk_registration_setting')),
    )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_created_at'), ['created_at'], unique=False)


def downgrade():
    op.drop_table('registration_setting')
    op.drop_table('registration')
    op.drop_table('shared_link')
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('channel')
