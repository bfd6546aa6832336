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
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_report_event_figures_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_report_event_figures'))
    )
    op.create_table('report_event_link',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('organisation_a', sa.Integer(), nullable=False),
    sa.Column('organisation_b', sa.Integer(), nullable=False),
    sa.Column('pairs', sa.Integer(), nullable=False),
    sa.Column('new_pairs', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['report_event_figures.event_id'], name=op.f('fk_report_event_link_event_id_report_event_figures'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_a'], ['organisation.id'], name=op.f('fk_report_event_link_organisation_a_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_b'], ['organisation.id'], name=op.f('fk_report_event_link_organisation_b_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'organisation_a', 'organisation_b', name=op.f('pk_report_event_link'))
    )
    op.create_table('report_community',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_report_community_community_id_community'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('community_id', name=op.f('pk_report_community'))
    )
    op.create_table('report_network',
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('organisation_a', sa.Integer(), nullable=False),
    sa.Column('organisation_b', sa.Integer(), nullable=False),
    sa.Column('pairs', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['report_community.community_id'], name=op.f('fk_report_network_community_id_report_community'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_a'], ['organisation.id'], name=op.f('fk_report_network_organisation_a_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_b'], ['organisation.id'], name=op.f('fk_report_network_organisation_b_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('community_id', 'organisation_a', 'organisation_b', name=op.f('pk_report_network'))
    )


def downgrade():
    op.drop_table('report_network')
    op.drop_table('report_community')
    op.drop_table('report_event_link')
    op.drop_table('report_event_figures')
