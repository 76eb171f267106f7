"""use-case library: revisions, comments and mentions, links, activity, search index and embeddings

The lexical indexes differ per database: PostgreSQL gets pg_trgm GIN on use_case_search.body and GIN on
the bigram tsvector; SQLite gets two FTS5 tables (trigram over the text, unicode61 over the bigram list),
named fts_* and kept out of the ORM models.

Revision ID: 0005_library
Revises: 0003_use_cases
Create Date: 2026-11-24 14:13:47.439272

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0005_library'
down_revision = '0003_use_cases'
branch_labels = None
depends_on = None


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('use_case_activity',
    sa.Column('use_case_id', sa.Integer(), nullable=False),
    sa.Column('views', sa.Integer(), nullable=False),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.Column('last_viewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_use_case_activity_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_use_case_activity_tenant_id_tenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['use_case_id'], ['use_cases.id'], name=op.f('fk_use_case_activity_use_case_id_use_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('use_case_id', name=op.f('pk_use_case_activity'))
    )
    with op.batch_alter_table('use_case_activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_use_case_activity_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_use_case_activity_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('use_case_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('use_case_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_use_case_comments_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_use_case_comments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['use_case_comments.id'], name=op.f('fk_use_case_comments_parent_id_use_case_comments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_use_case_comments_tenant_id_tenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['use_case_id'], ['use_cases.id'], name=op.f('fk_use_case_comments_use_case_id_use_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_use_case_comments'))
    )
    with op.batch_alter_table('use_case_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_use_case_comments_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_use_case_comments_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_use_case_comments_use_case_id'), ['use_case_id'], unique=False)

    op.create_table('use_case_embeddings',
    sa.Column('use_case_id', sa.Integer(), nullable=False),
    sa.Column('model_version', sa.String(length=120), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.Column('text_hash', sa.String(length=40), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_use_case_embeddings_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_use_case_embeddings_tenant_id_tenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['use_case_id'], ['use_cases.id'], name=op.f('fk_use_case_embeddings_use_case_id_use_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('use_case_id', 'model_version', name=op.f('pk_use_case_embeddings'))
    )
    with op.batch_alter_table('use_case_embeddings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_use_case_embeddings_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_use_case_embeddings_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('use_case_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('from_id', sa.Integer(), nullable=False),
    sa.Column('to_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_use_case_links_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_use_case_links_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['from_id'], ['use_cases.id'], name=op.f('fk_use_case_links_from_id_use_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_use_case_links_tenant_id_tenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_id'], ['use_cases.id'], name=op.f('fk_use_case_links_to_id_use_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_use_case_links')),
    sa.UniqueConstraint('from_id', 'to_id', name=op.f('uq_use_case_links_from_id_to_id'))
    )
    with op.batch_alter_table('use_case_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_use_case_links_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_use_case_links_from_id'), ['from_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_use_case_links_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_use_case_links_to_id'), ['to_id'], unique=False)

    op.create_table('use_case_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('use_case_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('editor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_use_case_revisions_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['editor_id'], ['users.id'], name=op.f('fk_use_case_revisions_editor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_use_case_revisions_tenant_id_tenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['use_case_id'], ['use_cases.id'], name=op.f('fk_use_case_revisions_use_case_id_use_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_use_case_revisions')),
    sa.UniqueConstraint('use_case_id', 'number', name=op.f('uq_use_case_revisions_use_case_id_number'))
    )
    with op.batch_alter_table('use_case_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_use_case_revisions_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_use_case_revisions_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_use_case_revisions_use_case_id'), ['use_case_id'], unique=False)

    op.create_table('use_case_search',
    sa.Column('use_case_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('bigrams', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=False),
    sa.Column('embed_hash', sa.String(length=40), nullable=False),
    sa.Column('needs_vector', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_use_case_search_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_use_case_search_tenant_id_tenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['use_case_id'], ['use_cases.id'], name=op.f('fk_use_case_search_use_case_id_use_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('use_case_id', name=op.f('pk_use_case_search'))
    )
    with op.batch_alter_table('use_case_search', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_use_case_search_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_use_case_search_needs_vector', ['needs_vector', 'account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_use_case_search_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('use_case_vector_stamps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('model_version', sa.String(length=120), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('epoch', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_use_case_vector_stamps_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_use_case_vector_stamps_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_use_case_vector_stamps')),
    sa.UniqueConstraint('account_id', 'model_version', name=op.f('uq_use_case_vector_stamps_account_id_model_version'))
    )
    with op.batch_alter_table('use_case_vector_stamps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_use_case_vector_stamps_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_use_case_vector_stamps_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('use_case_mentions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('use_case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_use_case_mentions_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['comment_id'], ['use_case_comments.id'], name=op.f('fk_use_case_mentions_comment_id_use_case_comments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_use_case_mentions_tenant_id_tenants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['use_case_id'], ['use_cases.id'], name=op.f('fk_use_case_mentions_use_case_id_use_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_use_case_mentions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_use_case_mentions'))
    )
    with op.batch_alter_table('use_case_mentions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_use_case_mentions_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_use_case_mentions_comment_id'), ['comment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_use_case_mentions_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_use_case_mentions_user_id'), ['user_id'], unique=False)

    if dialect == "postgresql":
        op.create_index('ix_use_case_search_body_trgm', 'use_case_search', ['body'], postgresql_using='gin',
                        postgresql_ops={'body': 'gin_trgm_ops'})
        op.create_index('ix_use_case_search_bigrams', 'use_case_search', ['bigrams'], postgresql_using='gin')
    elif dialect == "sqlite":
        op.execute("CREATE VIRTUAL TABLE fts_use_cases_trigram USING fts5(body, tokenize='trigram')")
        op.execute("CREATE VIRTUAL TABLE fts_use_cases_bigram USING fts5(bigrams, tokenize='unicode61')")
    _index_existing_use_cases(dialect)


def _index_existing_use_cases(dialect):
    """Use cases saved before this migration get their search rows (later ones are indexed on save)."""
    import hashlib

    from playbooks.search.embedders import embedding_text
    from playbooks.search.lexical import search_text
    from playbooks.search.terms import bigrams

    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, tenant_id, account_id, title, problem, prompt, result, tags, model_name FROM use_cases"
    )).mappings().all()
    for row in rows:
        tags = row["tags"]
        if isinstance(tags, str):
            import json

            tags = json.loads(tags or "[]")
        fields = {k: row[k] for k in ("title", "problem", "prompt", "result", "model_name")}
        fields["tags"] = list(tags or [])
        body = search_text(fields)
        pairs = bigrams("\n".join(str(v) for v in fields.values()))
        listed = " ".join(pairs)
        if dialect == "postgresql":
            listed = " ".join("'" + p.replace("\\", "\\\\").replace("'", "''") + "'" for p in pairs)
        conn.execute(
            sa.text(
                "INSERT INTO use_case_search (use_case_id, tenant_id, account_id, body, bigrams, embed_hash,"
                " needs_vector, updated_at)"
                " VALUES (:id, :tenant_id, :account_id, :body, :bigrams, :hash, TRUE, CURRENT_TIMESTAMP)"
            ),
            {"id": row["id"], "tenant_id": row["tenant_id"], "account_id": row["account_id"], "body": body,
             "bigrams": listed, "hash": hashlib.sha1(embedding_text(fields).encode("utf-8")).hexdigest()},
        )
        if dialect == "sqlite":
            conn.execute(sa.text("INSERT INTO fts_use_cases_trigram (rowid, body) VALUES (:id, :body)"),
                         {"id": row["id"], "body": body})
            conn.execute(sa.text("INSERT INTO fts_use_cases_bigram (rowid, bigrams) VALUES (:id, :b)"),
                         {"id": row["id"], "b": " ".join(pairs)})


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TABLE IF EXISTS fts_use_cases_trigram")
        op.execute("DROP TABLE IF EXISTS fts_use_cases_bigram")
    elif dialect == "postgresql":
        op.drop_index('ix_use_case_search_bigrams', table_name='use_case_search')
        op.drop_index('ix_use_case_search_body_trgm', table_name='use_case_search')
    with op.batch_alter_table('use_case_mentions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_use_case_mentions_user_id'))
        batch_op.drop_index(batch_op.f('ix_use_case_mentions_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_use_case_mentions_comment_id'))
        batch_op.drop_index(batch_op.f('ix_use_case_mentions_account_id'))

    op.drop_table('use_case_mentions')
    with op.batch_alter_table('use_case_vector_stamps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_use_case_vector_stamps_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_use_case_vector_stamps_account_id'))

    op.drop_table('use_case_vector_stamps')
    with op.batch_alter_table('use_case_search', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_use_case_search_tenant_id'))
        batch_op.drop_index('ix_use_case_search_needs_vector')
        batch_op.drop_index(batch_op.f('ix_use_case_search_account_id'))

    op.drop_table('use_case_search')
    with op.batch_alter_table('use_case_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_use_case_revisions_use_case_id'))
        batch_op.drop_index(batch_op.f('ix_use_case_revisions_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_use_case_revisions_account_id'))

    op.drop_table('use_case_revisions')
    with op.batch_alter_table('use_case_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_use_case_links_to_id'))
        batch_op.drop_index(batch_op.f('ix_use_case_links_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_use_case_links_from_id'))
        batch_op.drop_index(batch_op.f('ix_use_case_links_account_id'))

    op.drop_table('use_case_links')
    with op.batch_alter_table('use_case_embeddings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_use_case_embeddings_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_use_case_embeddings_account_id'))

    op.drop_table('use_case_embeddings')
    with op.batch_alter_table('use_case_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_use_case_comments_use_case_id'))
        batch_op.drop_index(batch_op.f('ix_use_case_comments_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_use_case_comments_account_id'))

    op.drop_table('use_case_comments')
    with op.batch_alter_table('use_case_activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_use_case_activity_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_use_case_activity_account_id'))

    op.drop_table('use_case_activity')
