"""The portal's connection options: PostgreSQL without JIT (see kpi_machine/database.py)."""

import pytest
from django.db import connection

from kpi_machine.database import SQLITE_OPTIONS, with_portal_options


def test_postgres_gets_jit_off_and_sqlite_write_ahead_logging():
    assert with_portal_options({"ENGINE": "django.db.backends.postgresql"})["OPTIONS"] == {
        "options": "-c jit=off"
    }
    sqlite = with_portal_options({"ENGINE": "django.db.backends.sqlite3", "OPTIONS": {"timeout": 20}})
    assert sqlite["OPTIONS"] == {**SQLITE_OPTIONS, "timeout": 20}
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]
    assert sqlite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_a_sqlite_file_is_opened_in_wal_mode(tmp_path, django_db_blocker):
    """The options open a real file in WAL mode, synced at checkpoints (the in-memory test
    database keeps its memory journal, so this opens a file of its own)."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    config = with_portal_options(
        {
            **connection.settings_dict,
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(tmp_path / "db.sqlite3"),
        }
    )
    config["OPTIONS"] = {k: v for k, v in config["OPTIONS"].items() if k != "options"}
    wrapper = DatabaseWrapper(config, alias="wal_check")
    try:
        with django_db_blocker.unblock(), wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 1  # NORMAL
    finally:
        wrapper.close()


def test_options_from_the_database_url_win():
    config = {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"options": "-c work_mem=64MB"}}
    assert with_portal_options(config)["OPTIONS"] == {"options": "-c work_mem=64MB"}


@pytest.mark.django_db
def test_the_live_postgres_connection_has_jit_off():
    if connection.vendor != "postgresql":
        return  # SQLite has no JIT; this runs in CI's PostgreSQL pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
