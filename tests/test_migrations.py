from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from shared.adapters.postgres.migrate import apply_migrations, load_migrations
from shared.errors import ConfigError, StoreError


def test_migrations_apply_from_zero_and_rerun_changes_nothing(fresh_database) -> None:
    url = fresh_database()
    first = apply_migrations(url)
    assert first == [m.name for m in load_migrations()]
    with psycopg.connect(url) as conn:
        before = conn.execute("SELECT version, applied_at FROM schema_migrations").fetchall()
    assert apply_migrations(url) == []
    with psycopg.connect(url) as conn:
        after = conn.execute("SELECT version, applied_at FROM schema_migrations").fetchall()
    assert before == after


def test_an_edited_migration_is_refused(fresh_database, tmp_path: Path) -> None:
    url = fresh_database()
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0001_one.sql").write_text("CREATE TABLE one (id int);")
    assert apply_migrations(url, folder) == ["0001_one.sql"]
    (folder / "0001_one.sql").write_text("CREATE TABLE one (id bigint);")
    with pytest.raises(StoreError, match="changed after it was applied"):
        apply_migrations(url, folder)


def test_a_failing_migration_leaves_nothing_half_done(fresh_database, tmp_path: Path) -> None:
    url = fresh_database()
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "0001_ok.sql").write_text("CREATE TABLE ok (id int);")
    (folder / "0002_bad.sql").write_text("CREATE TABLE half (id int); SELECT no_such_function();")
    with pytest.raises(StoreError):
        apply_migrations(url, folder)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT to_regclass('half')").fetchone() == (None,)
        versions = conn.execute("SELECT version FROM schema_migrations").fetchall()
    assert versions == [("0001",)]


def test_badly_named_files_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "init.sql").write_text("SELECT 1;")
    with pytest.raises(ConfigError, match="not understood"):
        load_migrations(tmp_path)
