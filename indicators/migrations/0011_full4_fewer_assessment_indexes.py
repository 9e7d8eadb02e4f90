"""Fewer indexes for a recompute to write on the assessment table (issue 12, full4).

Every assessment a recompute changes is an UPDATE; when the row's new version does not fit on its
page or an indexed column changed, PostgreSQL writes a new entry in EVERY index of the table. A
full recompute in which everything changed updates 120,000 rows, and the MERGE doing it was the
largest single part of that recompute. Three indexes go:

- (is_latest, rag) and (is_latest, direction): RAG and direction change with the results, so any
  update changing them could never be HOT. The pages' filters on the latest assessment (the
  library and dashboards through `with_latest_assessment`, `Assessment.objects.filter(is_latest=
  True, ...)`) are served by the partial unique index on the latest assessment instead (EXPLAIN
  ANALYZE at 1,000 indicators x 120 months: a bitmap scan of that index's 1,000 entries and a
  filter, 0.8-2.2 ms against 1.2-4.6 ms with the dropped indexes).
- comparator_period_id: nothing reads assessments by their comparator; only deleting a period
  (PROTECT) does, rarely, and a scan of the table serves it.

With those gone, no indexed column changes when an assessment is recomputed (id, indicator,
period; is_latest, in the partial index's condition, only when a new month arrives), so an update
is HOT, writing no index at all, whenever its page has room for the new version. The fillfactor
goes from 70 to 50 so that it has, even when every row of a page changes at once: measured on a
full recompute in which every assessment changed, 99.5 % of the updates were HOT (43 % at 70) and
the WAL written fell from 57 to 32 MiB; the table, 50 MiB with its indexes, stayed that size over
consecutive full recomputes (the dead versions are pruned on the page). As in 0006, the fillfactor
applies to pages written from now on: `VACUUM FULL indicators_assessment` in a quiet hour applies
it to an existing table.

The partial unique index `assessment_one_latest_per_indicator` is (re)created on PostgreSQL if
missing: 0006_speed2_fillfactor's AlterField of `indicator` (db_index=False) dropped every
single-column btree index on indicator_id, the model's partial unique index among them (Django
matches indexes by column, not by name), so databases migrated since lacked the constraint that
at most one assessment per indicator is the latest, and the pages above had no index for it.
"""

import django.db.models.deletion
from django.db import migrations, models


RESTORE_LATEST = (
    'CREATE UNIQUE INDEX IF NOT EXISTS "assessment_one_latest_per_indicator" '
    'ON "indicators_assessment" ("indicator_id") WHERE "is_latest"'
)


def restore_latest_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESTORE_LATEST)


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE indicators_assessment SET (fillfactor = 50)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE indicators_assessment SET (fillfactor = 70)")


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0010_scorecard3_summary"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="assessment",
            name="indicators__is_late_0b9499_idx",
        ),
        migrations.RemoveIndex(
            model_name="assessment",
            name="indicators__is_late_3f6ec1_idx",
        ),
        migrations.AlterField(
            model_name="assessment",
            name="comparator_period",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="indicators.period",
            ),
        ),
        migrations.RunPython(restore_latest_index, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(set_fillfactor, reset_fillfactor, elidable=False),
    ]
