"""member records: what a community knows of someone moves from the person onto the membership

A person's identity (name, e-mail address) stays on `person`; organisation, profession, job
title, interests, needs and line manager become each community's own record on `membership`
(with notes, new). Every membership gets a copy of what its person held, so nothing is lost;
from now on each community changes only its own copy.

Revision ID: 0009_member_records
Revises: 94d18a952af7
Create Date: 2026-11-30 15:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_member_records'
down_revision = '94d18a952af7'
branch_labels = None
depends_on = None

PROFESSIONS = ("'medicine', 'nursing', 'midwifery', 'allied_health', 'pharmacy', 'healthcare_science', "
               "'psychology', 'social_work', 'social_care', 'public_health', 'management', 'other'")
TEXT_FIELDS = ("role_title", "interests", "dietary_needs", "access_needs")
COPIED = ("organisation_id", "profession", *TEXT_FIELDS, "line_manager_id")


def upgrade():
    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('profession', sa.String(length=40), nullable=False, server_default='other'))
        batch_op.add_column(sa.Column('role_title', sa.String(length=200), nullable=False, server_default=''))
        for name in TEXT_FIELDS[1:] + ("notes",):
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('line_manager_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_membership_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_line_manager_id'), ['line_manager_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_membership_organisation_id_organisation'), 'organisation',
                                    ['organisation_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_membership_line_manager_id_person'), 'person',
                                    ['line_manager_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(batch_op.f('ck_membership_profession_known'), f"profession IN ({PROFESSIONS})")

    for column in COPIED:
        op.execute(f"UPDATE membership SET {column} = "
                   f"(SELECT person.{column} FROM person WHERE person.id = membership.person_id)")

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_person_line_manager_id_person'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_person_organisation_id_organisation'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('ck_person_profession_known'), type_='check')
        batch_op.drop_index(batch_op.f('ix_person_line_manager_id'))
        batch_op.drop_index(batch_op.f('ix_person_organisation_id'))
        for column in COPIED:
            batch_op.drop_column(column)


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('profession', sa.String(length=40), nullable=False, server_default='other'))
        batch_op.add_column(sa.Column('role_title', sa.String(length=200), nullable=False, server_default=''))
        for name in TEXT_FIELDS[1:]:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('line_manager_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_person_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_line_manager_id'), ['line_manager_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_person_organisation_id_organisation'), 'organisation',
                                    ['organisation_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_person_line_manager_id_person'), 'person',
                                    ['line_manager_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(batch_op.f('ck_person_profession_known'), f"profession IN ({PROFESSIONS})")

    # Back to one record per person: the earliest membership's copy wins.
    for column in COPIED:
        op.execute(f"UPDATE person SET {column} = (SELECT membership.{column} FROM membership "
                   f"WHERE membership.person_id = person.id ORDER BY membership.id LIMIT 1) "
                   f"WHERE EXISTS (SELECT 1 FROM membership WHERE membership.person_id = person.id)")

    with op.batch_alter_table('membership', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_membership_profession_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_membership_line_manager_id_person'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_membership_organisation_id_organisation'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_membership_line_manager_id'))
        batch_op.drop_index(batch_op.f('ix_membership_organisation_id'))
        for column in COPIED + ("notes",):
            batch_op.drop_column(column)
