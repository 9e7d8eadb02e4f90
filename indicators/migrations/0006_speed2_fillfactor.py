"""Assessments updated in place (issue 12): room on each page for the new row version, one index fewer.

A recompute now updates changed assessments where they are instead of deleting and inserting
every row. PostgreSQL can then write a row's new version on the same page and skip every index
(a "HOT" update) when the page has room and no indexed column changed; with the default fillfactor
(100) the pages were full and every update wrote all eight indexes again: 1.4 % of updates were HOT
in a recompute where every assessment changed, 56 % with pages filled to 70 %, and the MERGE took
about half the time. The fillfactor applies to pages written from now on: an existing table gets
it everywhere after `VACUUM FULL indicators_assessment` (which locks the table; run it in a quiet
hour), not done here.

The index on the indicator key alone goes: the unique (indicator, period) index starts with the
same column and serves every look-up by indicator (and the cascade when an indicator is deleted).

SQLite has no fillfactor: nothing to do there.
"""

import django.db.models.deletion
from django.db import migrations, models


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE indicators_assessment SET (fillfactor = 70)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE indicators_assessment RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0005_recompute_mark"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assessment",
            name="indicator",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="assessments",
                to="indicators.indicator",
            ),
        ),
        migrations.RunPython(set_fillfactor, reset_fillfactor, elidable=False),
    ]
