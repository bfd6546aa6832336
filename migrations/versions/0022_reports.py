"""report figures kept per held event (issue 19): computed once, keyed by a fingerprint of their inputs

Revision ID: 0022_reports
Revises: 0021_theme_suggestions
Create Date: 2026-12-01 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_reports'
down_revision = '0021_theme_suggestions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_event_figures',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_report_event_figures_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_report_event_figures'))
    )


def downgrade():
    op.drop_table('report_event_figures')
