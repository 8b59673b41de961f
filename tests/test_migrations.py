"""Migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from forum.discussions import search
from forum.extensions import db


@pytest.mark.postgres
def test_models_and_migrations_agree(app, backend):
    with db.engine.connect() as conn:
        # The search index objects (FTS5 table, GIN index) are made by migrations only, not by models.
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": search.include_name,
                                                         "include_object": search.include_object})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations disagree; run `flask db migrate` and review: {diff}"


@pytest.mark.postgres
def test_upgrade_reaches_the_head_revision(app, backend):
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate

    config = app.extensions["migrate"].migrate.get_config() if hasattr(app.extensions["migrate"], "migrate") else None
    if config is None:
        config = Migrate().get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"the migration history has several heads: {heads}"
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_heads() == tuple(heads)


@pytest.mark.postgres
def test_regional_groups_are_loaded_as_reference_data(app, backend):
    from forum.meetings.models import RegionalGroup

    groups = {g.code: g for g in db.session.scalars(db.select(RegionalGroup))}
    assert set(groups) == {"AFRICA", "ASPAG", "GRULAC", "EUROPE", "IMEC", "EU"}
    # Rule 2: a State may belong to several regional groups.
    assert "JP" in groups["ASPAG"].state_codes and "JP" in groups["IMEC"].state_codes
