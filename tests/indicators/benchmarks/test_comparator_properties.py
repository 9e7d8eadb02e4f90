"""Property-based: malformed comparator files never give a 500 and never write part of a file."""

import csv
import io
import string
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from indicators.benchmarks.services import comparator_values_import, comparator_values_preview
from indicators.models import ComparatorGroup, ComparatorOrganisation, ComparatorValue

HEADERS = ["Indicator reference", "Period", "Organisation", "Value", "Organisation code", "Council", "Notes"]
cell_text = st.one_of(
    st.sampled_from(
        [
            "STF90",
            "NOPE1",
            "2014/15",
            "Q3 2015/16",
            "Dec 2015",
            "2014-15",
            "Q9 2015/16",
            "Derby",
            "derby ",
            "E06000015",
            "E06000099",
            "Leicester",
            "82.5%",
            "1,918",
            "1,918 (Q3)",
            "=1+1",
            "'=cmd",
            "-",
            "",
            "1e400",
            "NaN",
            "99999999999999999",
            "0.123456",
        ]
    ),
    st.text(alphabet=string.ascii_letters + string.digits + string.punctuation + " £%–€\u00a0", max_size=12),
)
cell = st.one_of(
    st.none(), cell_text, st.integers(-(10**20), 10**20), st.floats(allow_nan=True, allow_infinity=True)
)
grid = st.lists(st.lists(cell, max_size=6), max_size=12)
header = st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6)


def as_xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def as_csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if c is None else c for c in row])
    return buffer.getvalue().encode("utf-8", errors="replace")


def snapshot():
    return (
        sorted(
            ComparatorValue.objects.values_list(
                "indicator__reference", "period__kind", "period__start", "organisation__name", "value"
            )
        ),
        sorted(ComparatorOrganisation.objects.values_list("name", "code")),
        sorted(ComparatorGroup.objects.values_list("members__name", flat=True).exclude(members=None)),
    )


def check_all_or_nothing(user, filename, data, create, group):
    with transaction.atomic():
        before = snapshot()
        batch = comparator_values_preview(
            user=user, filename=filename, data=data, create_organisations=create, group=group
        )
        assert snapshot() == before
        plan = batch.plan
        try:
            comparator_values_import(user=user, batch=batch)
        except PermissionDenied:  # a refused file: nothing at all may have been written
            assert plan.get("refused")
            assert snapshot() == before
        else:
            after = {(r, k, s.isoformat(), o.casefold()): v for r, k, s, o, v in snapshot()[0]}
            for entry in plan["values"]:  # every planned value is there, exactly
                key = (entry["reference"], entry["kind"], entry["start"], entry["organisation"].casefold())
                assert after[key] == Decimal(entry["new"])
            assert len(snapshot()[1]) == len(before[1]) + len(plan["create_organisations"])
            # Importing the same file again changes nothing.
            again = comparator_values_preview(
                user=user, filename=filename, data=data, create_organisations=create, group=group
            )
            assert again.plan["values"] == [] and again.plan["create_organisations"] == []
        transaction.set_rollback(True)


PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.django_db
@PROPERTY_SETTINGS
@given(head=header, rows=grid, as_workbook=st.booleans(), create=st.booleans(), use_group=st.booleans())
def test_generated_files_import_all_or_nothing(users, library, head, rows, as_workbook, create, use_group):
    data = as_xlsx([head, *rows]) if as_workbook else as_csv([head, *rows])
    name = "gen.xlsx" if as_workbook else "gen.csv"
    check_all_or_nothing(users["hub"], name, data, create, library if use_group else None)


@pytest.mark.django_db
@PROPERTY_SETTINGS
@given(
    cut=st.integers(0, 4000),
    flips=st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 255)), max_size=6),
    name=st.sampled_from(["a.xlsx", "a.csv", "a.xlsm", "a", "a.xls"]),
)
def test_damaged_files_are_refused_or_read_never_half_written(users, library, cut, flips, name):
    data = bytearray(
        as_xlsx(
            [
                ["Indicator reference", "Period", "Organisation", "Value"],
                ["STF90", "2014/15", "Derby", "82%"],
                ["STF90", "2014/15", "Leicester", 79],
            ]
        )
    )
    for at, byte in flips:
        data[at % len(data)] = byte
    check_all_or_nothing(users["hub"], name, bytes(data[: max(1, len(data) - cut)]), True, library)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.binary(max_size=3000), name=st.sampled_from(["x.xlsx", "x.csv", "x.xlsm", "x.bin"]))
def test_upload_page_never_gives_a_500(client, users, library, payload, name):
    client.force_login(users["hub"])
    with transaction.atomic():
        response = client.post(
            "/benchmarks/import/", {"file": SimpleUploadedFile(name, payload), "create_organisations": "on"}
        )
        assert response.status_code < 500
        if response.status_code == 302:
            assert client.get(response["Location"]).status_code < 500
            assert client.post(response["Location"]).status_code < 500
        transaction.set_rollback(True)
