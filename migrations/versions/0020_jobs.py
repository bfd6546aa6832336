"""jobs: long work off the request (print packs, bulk invitations, imports), its state and its output, and uploads kept for a preview (issue 19)

Revision ID: 0020_jobs
Revises: 0019_themes
Create Date: 2026-11-30 18:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_jobs'
down_revision = '0019_themes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('active_key', sa.String(length=200), nullable=True),
    sa.Column('cache_key', sa.String(length=200), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('next_url', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('output_name', sa.String(length=200), nullable=True),
    sa.Column('output_type', sa.String(length=100), nullable=True),
    sa.Column('output', sa.LargeBinary(), nullable=True),
    sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed', 'cancelled')", name=op.f('ck_job_state_known')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_job_community_id_community'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['started_by_id'], ['person.id'], name=op.f('fk_job_started_by_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job')),
    sa.UniqueConstraint('active_key', name=op.f('uq_job_active_key'))
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_cache_key'), ['cache_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_started_by_id'), ['started_by_id'], unique=False)
    op.create_table('job_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_job_upload_community_id_community'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_job_upload_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_upload'))
    )
    with op.batch_alter_table('job_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_upload_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_upload_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('job_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_upload_person_id'))
        batch_op.drop_index(batch_op.f('ix_job_upload_community_id'))
    op.drop_table('job_upload')
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_started_by_id'))
        batch_op.drop_index(batch_op.f('ix_job_community_id'))
        batch_op.drop_index(batch_op.f('ix_job_cache_key'))
    op.drop_table('job')
