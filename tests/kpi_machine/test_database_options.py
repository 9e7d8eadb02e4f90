"""The portal's connection options: PostgreSQL without JIT (see kpi_machine/database.py)."""

import pytest
from django.db import connection

from kpi_machine.database import with_portal_options


def test_postgres_gets_jit_off_and_sqlite_is_untouched():
    assert with_portal_options({"ENGINE": "django.db.backends.postgresql"})["OPTIONS"] == {
        "options": "-c jit=off"
    }
    assert "OPTIONS" not in with_portal_options({"ENGINE": "django.db.backends.sqlite3"})


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
