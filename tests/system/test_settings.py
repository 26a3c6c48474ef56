"""Settings: the secret key rules and the defaults."""

import pytest
from pydantic import ValidationError

from gridgov.config import Settings


def test_outside_demo_mode_a_secret_key_is_required(tmp_path, monkeypatch):
    monkeypatch.delenv("GRIDGOV_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="GRIDGOV_SECRET_KEY"):
        Settings(var_dir=tmp_path)


@pytest.mark.parametrize("placeholder", ["changeme", "secret", "CHANGEME", "  "])
def test_placeholder_keys_are_refused(tmp_path, placeholder):
    with pytest.raises(ValidationError, match="占位"):
        Settings(var_dir=tmp_path, secret_key=placeholder)


def test_a_short_key_is_refused(tmp_path):
    with pytest.raises(ValidationError, match="太短"):
        Settings(var_dir=tmp_path, secret_key="x" * 20)


def test_demo_mode_generates_a_key_once_and_keeps_it(tmp_path):
    first = Settings(var_dir=tmp_path, demo=True)
    second = Settings(var_dir=tmp_path, demo=True)
    assert len(first.secret_key) >= 32 and first.secret_key == second.secret_key


def test_the_database_defaults_to_sqlite_under_var(tmp_path):
    s = Settings(var_dir=tmp_path, demo=True)
    assert s.database_url == f"sqlite:///{tmp_path / 'gridgov.db'}"
    assert s.tile_url == ""  # no external requests unless a deployment sets one


def test_settings_come_from_gridgov_environment_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDGOV_PROFILE", "qinzhou")
    monkeypatch.setenv("GRIDGOV_SECRET_KEY", "k" * 40)
    s = Settings(var_dir=tmp_path)
    assert s.profile == "qinzhou" and s.secret_key == "k" * 40


def test_an_unknown_profile_is_refused(tmp_path):
    with pytest.raises(ValidationError, match="未知的政策配置"):
        Settings(var_dir=tmp_path, demo=True, profile="atlantis")
