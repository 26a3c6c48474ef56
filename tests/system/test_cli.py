"""The ``gridgov`` command on a fresh database of each backend."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from typer.testing import CliRunner

from gridgov.cli import app
from gridgov.db import make_engine
from gridgov.migrate import upgrade
from gridgov.models import Grid

from ..territory.territory_data import VILLAGE, box, grid, small_city

runner = CliRunner()


def _grid_count(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(Grid))
    finally:
        engine.dispose()


def test_help_lists_the_commands():
    out = runner.invoke(app, ["--help"]).output
    for command in ("db", "demo", "serve", "grids", "profile", "calendar"):
        assert command in out
    grids_help = runner.invoke(app, ["grids", "--help"]).output
    for command in ("import", "export", "check", "locate"):
        assert command in grids_help


def test_db_upgrade_is_repeatable(fresh_url, cli_env):
    cli_env(fresh_url)
    for _ in range(2):
        result = runner.invoke(app, ["db", "upgrade"])
        assert result.exit_code == 0, result.output
    assert "已迁移" in result.output


def test_import_export_and_check_round_trip(fresh_url, cli_env, tmp_path):
    cli_env(fresh_url)
    source = tmp_path / "city.geojson"
    source.write_text(json.dumps(small_city()), encoding="utf-8")
    result = runner.invoke(app, ["grids", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "网格 新增 2" in result.output
    out = tmp_path / "out.geojson"
    result = runner.invoke(app, ["grids", "export", "329900000000", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(json.loads(out.read_text())["features"]) == 6
    result = runner.invoke(app, ["grids", "check", VILLAGE])
    assert result.exit_code == 0, result.output
    assert "重叠：0 处" in result.output and "空白：0 处" in result.output
    result = runner.invoke(app, ["grids", "locate", "120.0035", "31.001"])
    assert result.exit_code == 0 and f"{VILLAGE}002" in result.output


def test_a_bad_file_lists_every_error_and_writes_nothing(fresh_url, cli_env, tmp_path):
    cli_env(fresh_url)
    bad = small_city([grid(1, box(0, 0, 2, 2)), grid(2, box(2, 0, 4, 2), households="many")])
    source = tmp_path / "bad.geojson"
    source.write_text(json.dumps(bad), encoding="utf-8")
    result = runner.invoke(app, ["grids", "import", str(source)])
    assert result.exit_code == 1
    assert "未写入任何数据" in result.output and "index=5" in result.output
    assert _grid_count(fresh_url) == 0
    source.write_text("not json", encoding="utf-8")
    result = runner.invoke(app, ["grids", "import", str(source)])
    assert result.exit_code == 1 and "不是有效的 JSON" in result.output


def test_check_exits_non_zero_when_grids_overlap(fresh_url, cli_env, tmp_path):
    cli_env(fresh_url)
    source = tmp_path / "overlap.geojson"
    source.write_text(json.dumps(small_city([grid(1, box(0, 0, 3, 2)), grid(2, box(2, 0, 4, 2))])), encoding="utf-8")
    assert runner.invoke(app, ["grids", "import", str(source)]).exit_code == 0
    result = runner.invoke(app, ["grids", "check", VILLAGE])
    assert result.exit_code == 1 and "重叠：1 处" in result.output


def test_demo_builds_the_city_once_and_reuses_it(fresh_url, cli_env):
    cli_env(fresh_url)
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    assert "已建立" in first.output
    count = _grid_count(fresh_url)
    assert 900 <= count <= 1100
    second = runner.invoke(app, ["demo"])
    assert second.exit_code == 0 and "沿用" in second.output
    assert _grid_count(fresh_url) == count


def test_the_schema_comes_from_the_migrations(fresh_url):
    engine = make_engine(fresh_url)
    upgrade(engine)  # idempotent at head
    with engine.connect() as conn:
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    engine.dispose()
    from alembic.script import ScriptDirectory

    from gridgov.migrate import alembic_config

    assert version == ScriptDirectory.from_config(alembic_config(fresh_url)).get_current_head()
