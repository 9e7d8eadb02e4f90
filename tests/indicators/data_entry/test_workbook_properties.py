"""Property-based: malformed workbooks and CSV files never give a 500 and never write part of a file."""

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

from indicators.data_entry.services.imports import import_apply, import_preview
from indicators.models import Indicator, Result

HEADERS = [
    "Reference ID",
    "Indicator Description",
    "2014/15 Result",
    "2015/16 Result",
    "Q3 2015/16",
    "Dec 2015",
    "Polarity",
    "Commentary",
    "Include",
    "Latest Direction of Travel",
    "Nonsense",
]
cell_text = st.one_of(
    st.sampled_from(
        [
            "STF90",
            "STF15",
            "NEW1",
            "TBC",
            "Up is Good",
            "Up is Bad",
            "sideways",
            "13,805",
            "95.79%",
            "1,918 (Q3)",
            "-4 (2013/14)",
            "7 (Q9)",
            "=1+1",
            "@x",
            "-",
            "",
            "1e400",
            "NaN",
            "£12.345",
            "Performance",
            "Finance",
            "Υ",
            "150%",
            "-3",
            "1,23",
        ]
    ),
    st.text(alphabet=string.ascii_letters + string.digits + string.punctuation + " £%–Υ€\u00a0", max_size=12),
)
cell = st.one_of(
    st.none(), cell_text, st.integers(-(10**20), 10**20), st.floats(allow_nan=True, allow_infinity=True)
)
grid = st.lists(st.lists(cell, max_size=9), max_size=12)
header = st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8)


def as_xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
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
    return sorted(
        Result.objects.values_list("indicator__reference", "period__kind", "period__start", "value", "status")
    )


def check_all_or_nothing(user, filename, data):
    with transaction.atomic():
        before_results, before_indicators = snapshot(), Indicator.objects.count()
        batch = import_preview(user=user, filename=filename, data=data)
        assert snapshot() == before_results and Indicator.objects.count() == before_indicators
        plan = batch.plan
        try:
            import_apply(user=user, batch=batch)
        except PermissionDenied:  # a refused file: nothing at all may have been written
            assert plan.get("refused")
            assert snapshot() == before_results and Indicator.objects.count() == before_indicators
        else:
            after = {(r, k, s.isoformat()): v for r, k, s, v, _ in snapshot()}
            for write in plan["writes"]:  # every planned value is there, exactly
                assert after[(write["reference"], write["kind"], write["start"])] == Decimal(write["new"])
            assert Indicator.objects.count() == before_indicators + len(plan["create_indicators"])
        transaction.set_rollback(True)


@pytest.fixture
def library(org, users):
    stf90 = Indicator.objects.create(
        reference="STF90",
        title="PDR Completion (%)",
        category="workforce",
        unit="percentage",
        polarity="up_is_good",
        frequency="annual",
        service=org["hr"],
    )
    stf90.data_entry_officers.add(users["officer"])
    Indicator.objects.create(
        reference="STF15",
        title="Sickness days",
        category="workforce",
        unit="days",
        decimal_places=1,
        polarity="up_is_bad",
        frequency="annual",
        service=org["waste"],
    )


PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.django_db
@PROPERTY_SETTINGS
@given(head=header, rows=grid, as_workbook=st.booleans(), role=st.sampled_from(["hub", "officer"]))
def test_generated_tables_import_all_or_nothing(users, library, head, rows, as_workbook, role):
    data = as_xlsx([head, *rows]) if as_workbook else as_csv([head, *rows])
    check_all_or_nothing(users[role], "gen.xlsx" if as_workbook else "gen.csv", data)


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
                ["Reference ID", "2015/16 Result", "Polarity"],
                ["STF90", "82%", "Up is Good"],
                ["NEW9", 5, "Neutral"],
            ]
        )
    )
    for at, byte in flips:
        data[at % len(data)] = byte
    check_all_or_nothing(users["hub"], name, bytes(data[: max(1, len(data) - cut)]))


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.binary(max_size=3000), name=st.sampled_from(["x.xlsx", "x.csv", "x.xlsm", "x.bin"]))
def test_upload_page_never_gives_a_500(client, users, library, payload, name):
    client.force_login(users["hub"])
    with transaction.atomic():
        response = client.post("/imports/", {"file": SimpleUploadedFile(name, payload)})
        assert response.status_code < 500
        if response.status_code == 302:
            assert client.get(response["Location"]).status_code < 500
            assert client.post(response["Location"]).status_code < 500
        transaction.set_rollback(True)
