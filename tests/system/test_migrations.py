"""The migrations are the only source of the schema, and they match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from gridgov.db import make_engine
from gridgov.migrate import downgrade, upgrade
from gridgov.models import Base


def test_the_migrated_schema_matches_the_models(template_url):
    engine = make_engine(template_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == [], f"模型与迁移脚本不一致，请新增迁移：{diff}"


def test_migrations_go_down_and_up_again(fresh_url):
    engine = make_engine(fresh_url)
    upgrade(engine)
    downgrade(engine, "base")
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() is None
    upgrade(engine)
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() is not None
    engine.dispose()
