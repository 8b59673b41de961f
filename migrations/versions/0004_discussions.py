"""threads, posts, revisions, read markers, search

Revision ID: 0004_discussions
Revises: 0003_deadline_chair
Create Date: 2026-11-28 04:30:00

The search index objects are not models (see forum/discussions/search.py) and are created here
for the dialect at hand: on SQLite an FTS5 table kept in sync by triggers on `posts`, on
PostgreSQL a GIN expression index. A later batch migration that rebuilds `posts` on SQLite would
drop the triggers; tests/unit/test_discussions_search.py checks that they are there.
"""
from alembic import op
import sqlalchemy as sa

import forum.db


# revision identifiers, used by Alembic.
revision = '0004_discussions'
down_revision = '0003_deadline_chair'
branch_labels = None
depends_on = None


SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE posts_fts USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')",
    # Removed posts leave the index; an edit or a hiding re-indexes. A reused rowid is cleared first.
    """CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
        DELETE FROM posts_fts WHERE rowid = new.id;
        INSERT INTO posts_fts(rowid, body) SELECT new.id, new.search_text WHERE new.removed_at IS NULL;
    END""",
    """CREATE TRIGGER posts_fts_update AFTER UPDATE OF search_text, removed_at ON posts BEGIN
        DELETE FROM posts_fts WHERE rowid = old.id;
        INSERT INTO posts_fts(rowid, body) SELECT new.id, new.search_text WHERE new.removed_at IS NULL;
    END""",
    """CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
        DELETE FROM posts_fts WHERE rowid = old.id;
    END""",
)
POSTGRESQL_SEARCH = (
    "CREATE INDEX ix_posts_search_fts ON posts USING gin (to_tsvector('simple', search_text))",
)


def upgrade():
    op.create_table('threads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('pinned', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('locked', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('last_post_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('post_count', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_threads_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_threads_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], name=op.f('fk_threads_space_id_spaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_threads'))
    )
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_threads_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index('ix_threads_space_id_pinned_last_post_at', ['space_id', 'pinned', 'last_post_at'], unique=False)

    op.create_table('posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('sort_key', sa.String(length=24), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body_source', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('edited_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('edit_count', sa.Integer(), nullable=False),
    sa.Column('removed_at', forum.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('removed_by_id', sa.Integer(), nullable=True),
    sa.Column('removal', sa.Enum('deleted_by_author', 'hidden_by_moderator', name='postremoval', native_enum=False, length=24), nullable=True),
    sa.Column('removal_reason', sa.String(length=300), nullable=False),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_posts_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['posts.id'], name=op.f('fk_posts_parent_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['removed_by_id'], ['users.id'], name=op.f('fk_posts_removed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_posts_thread_id_threads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posts')),
    sa.UniqueConstraint('thread_id', 'number', name=op.f('uq_posts_thread_id_number'))
    )
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_posts_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_posts_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('ix_posts_thread_id_sort_key', ['thread_id', 'sort_key'], unique=False)

    op.create_table('read_markers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('last_read_number', sa.Integer(), nullable=False),
    sa.Column('read_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_read_markers_thread_id_threads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_read_markers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_read_markers')),
    sa.UniqueConstraint('user_id', 'thread_id', name=op.f('uq_read_markers_user_id_thread_id'))
    )
    with op.batch_alter_table('read_markers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_read_markers_thread_id'), ['thread_id'], unique=False)

    op.create_table('post_mentions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_mentions_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_post_mentions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_mentions')),
    sa.UniqueConstraint('post_id', 'user_id', name=op.f('uq_post_mentions_post_id_user_id'))
    )
    with op.batch_alter_table('post_mentions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_mentions_user_id'), ['user_id'], unique=False)

    op.create_table('post_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('editor_id', sa.Integer(), nullable=True),
    sa.Column('body_source', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('created_at', forum.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['editor_id'], ['users.id'], name=op.f('fk_post_revisions_editor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_revisions_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_revisions')),
    sa.UniqueConstraint('post_id', 'revision', name=op.f('uq_post_revisions_post_id_revision'))
    )

    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_SEARCH, "postgresql": POSTGRESQL_SEARCH}.get(dialect, ()):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("posts_fts_insert", "posts_fts_update", "posts_fts_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS posts_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_posts_search_fts")

    op.drop_table('post_revisions')
    with op.batch_alter_table('post_mentions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_mentions_user_id'))

    op.drop_table('post_mentions')
    with op.batch_alter_table('read_markers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_read_markers_thread_id'))

    op.drop_table('read_markers')
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_thread_id_sort_key')
        batch_op.drop_index(batch_op.f('ix_posts_parent_id'))
        batch_op.drop_index(batch_op.f('ix_posts_author_id'))

    op.drop_table('posts')
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_index('ix_threads_space_id_pinned_last_post_at')
        batch_op.drop_index(batch_op.f('ix_threads_meeting_id'))

    op.drop_table('threads')
