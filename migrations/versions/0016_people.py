"""people: one person (email, password) with a membership per vendor

Revision ID: 0016_people
Revises: 0006_usage
Create Date: 2026-11-24 19:00:00

Every existing user becomes a person of their own (emails were unique across AdoptLoop until now), with the
same id, so nothing that points at a user changes.
"""
from alembic import op
import sqlalchemy as sa


revision = '0016_people'
down_revision = '0006_usage'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('session_version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people')),
    sa.UniqueConstraint('email', name=op.f('uq_people_email'))
    )
    op.execute(
        "INSERT INTO people (id, email, password_hash, session_version, created_at) "
        "SELECT id, email, password_hash, session_version, created_at FROM users"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('people', 'id'), COALESCE(MAX(id), 1)) FROM people")

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
    op.execute("UPDATE users SET person_id = id")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('person_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint('uq_users_email', type_='unique')
        batch_op.create_index(batch_op.f('ix_users_person_id'), ['person_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_users_tenant_id_email'), ['tenant_id', 'email'])
        batch_op.create_unique_constraint(batch_op.f('uq_users_person_id_tenant_id'), ['person_id', 'tenant_id'])
        batch_op.create_foreign_key(batch_op.f('fk_users_person_id_people'), 'people', ['person_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_column('password_hash')
        batch_op.drop_column('session_version')


def downgrade():
    # Only possible while every person has one membership (as before this revision).
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('password_hash', sa.String(length=255), nullable=False, server_default=''))
    op.execute(
        "UPDATE users SET password_hash = (SELECT password_hash FROM people WHERE people.id = users.person_id), "
        "session_version = (SELECT session_version FROM people WHERE people.id = users.person_id)"
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_person_id_people'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_users_person_id_tenant_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_users_tenant_id_email'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_users_person_id'))
        batch_op.create_unique_constraint('uq_users_email', ['email'])
        batch_op.drop_column('person_id')
    op.drop_table('people')
