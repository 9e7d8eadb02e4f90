"""Workbook import: the framework's Table 3.3, refusals, preview-then-apply, idempotence, round trip."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from indicators.data_entry.services.imports import import_apply, import_preview
from indicators.models import Assessment, ImportBatch, Indicator, Result, ResultChange

# The framework's Table 3.3 as typed in the source document, oddities and all: the split
# "Performan" / "ce" section row, a TBC row with stray "VO" and "AG", a Greek "Υ" for yes.
HEADER = [
    "Reference ID",
    "Indicator Description",
    "2013/14 Result",
    "2014/15 Result",
    "2015/16 Result",
    "Polarity",
    "Latest Direction of Travel",
    "Responsible Officer",
    "Include",
]
TABLE_3_3 = [
    ["Performan", "ce", None, None, None, None, None, None, None],
    [
        "CFD01",
        "Number of external calls received - OCE",
        None,
        "13,805",
        "1,918 (Q3)",
        "Neutral",
        "Neutral",
        None,
        "Υ",
    ],
    [
        "CFD03a",
        "% of external calls answered within 20 seconds - OCE",
        None,
        "95.79%",
        "98.20% (Q3)",
        "Up is Good",
        "Neutral",
        None,
        "Y",
    ],
    ["Customer", None, None, None, None, None, None, None, None],
    ["TBC", "TBC", "VO", None, None, "-", "-", None, None],
    ["Workforce", None, "AG", None, None, None, None, None, None],
    ["STF90", "PDR Completion (%) - OCE", None, "71%", "82%", "Up is Good", "Good", None, "Y"],
    ["STF01", "Staff Headcount - OCE - (Snapshot)", 41, 54, 57, "Neutral", "Neutral", None, None],
    [
        "STF15",
        "Average sickness days lost per FTE - OCE - (YTD)",
        4.2,
        6.4,
        6.5,
        "Up is Bad",
        "Bad",
        None,
        "Y",
    ],
    ["STF32", "Voluntary Turnover (%) - OCE", None, "2.00%", "14.70%", "Up is Bad", "Bad", None, None],
    ["Finance", None, None, None, None, None, None, None, None],
    [
        "BPI107",
        "OCE Forecast Budget Outturn (£000s Overspent / -Underspent)",
        "-4 (2013/14)",
        "8 (2014/15)",
        "110 (Q3)",
        "Up is Bad",
        "Bad",
        None,
        "Y",
    ],
]
DIRECTION_WORDS = {"Good": "good", "Bad": "bad", "Neutral": "neutral"}


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Table 3.3"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def table_3_3():
    return xlsx([["Table 3.3 – Performance Indicators"], [], HEADER, *TABLE_3_3])


@pytest.mark.django_db
def test_preview_writes_nothing_but_the_batch(users, table_3_3):
    batch = import_preview(user=users["hub"], filename="sip.xlsx", data=table_3_3)
    assert not Indicator.objects.exists() and not Result.objects.exists()
    plan = batch.plan
    assert {i["reference"] for i in plan["create_indicators"]} == {
        "CFD01",
        "CFD03a",
        "STF90",
        "STF01",
        "STF15",
        "STF32",
        "BPI107",
    }
    assert plan["rejected"] == []
    assert any("TBC" in note for note in plan["notes"])
    by_ref = {(w["reference"], w["label"]): w["new"] for w in plan["writes"]}
    assert by_ref[("CFD01", "2014/15")] == "13805"
    assert by_ref[("CFD01", "Q3 2015/16")] == "1918"
    assert by_ref[("BPI107", "2013/14")] == "-4"
    assert by_ref[("CFD03a", "2014/15")] == "95.79"


@pytest.mark.django_db
def test_table_3_3_imports_into_an_empty_portal_and_directions_agree(
    users, table_3_3, django_capture_on_commit_callbacks
):
    batch = import_preview(user=users["hub"], filename="sip.xlsx", data=table_3_3)
    with django_capture_on_commit_callbacks(execute=True):
        summary = import_apply(user=users["hub"], batch=batch)
    assert summary["indicators_created"] == 7 and summary["results_written"] == 17
    stf15 = Indicator.objects.get(reference="STF15")
    assert (stf15.polarity, stf15.unit, stf15.measure_type, stf15.category) == (
        "up_is_bad",
        "days",
        "ytd",
        "workforce",
    )
    assert Indicator.objects.get(reference="STF32").unit == "percentage"
    assert Indicator.objects.get(reference="BPI107").unit == "currency_thousands"
    assert Indicator.objects.get(reference="CFD01").on_scorecard  # "Υ"
    assert Result.objects.filter(status="approved").count() == 17
    compared = 0
    for row in TABLE_3_3:
        reference, written = row[0], row[6]
        latest = Assessment.objects.filter(indicator__reference=reference, is_latest=True).first()
        if latest is None or written not in DIRECTION_WORDS or latest.direction == "na":
            continue  # not like for like (e.g. a Q3 figure against a full year)
        assert latest.direction == DIRECTION_WORDS[written], reference
        compared += 1
    assert compared >= 4  # STF90, STF01, STF15, STF32 at least


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing(users, table_3_3):
    import_apply(
        user=users["hub"], batch=import_preview(user=users["hub"], filename="a.xlsx", data=table_3_3)
    )
    changes = ResultChange.objects.count()
    again = import_preview(user=users["hub"], filename="a.xlsx", data=table_3_3)
    assert (
        again.plan["writes"] == []
        and again.plan["create_indicators"] == []
        and again.plan["unchanged_count"] == 17
    )
    assert import_apply(user=users["hub"], batch=again)["results_written"] == 0
    assert ResultChange.objects.count() == changes


@pytest.mark.django_db
def test_confirming_a_batch_twice_writes_once(users, table_3_3):
    batch = import_preview(user=users["hub"], filename="a.xlsx", data=table_3_3)
    import_apply(user=users["hub"], batch=batch)
    assert import_apply(user=users["hub"], batch=batch)["already_applied"]
    assert Result.objects.count() == 17


@pytest.mark.django_db
def test_officer_import_is_limited_to_own_indicators(users, table_3_3, org):
    stf90 = Indicator.objects.create(
        reference="STF90",
        title="PDR",
        category="workforce",
        unit="percentage",
        polarity="up_is_good",
        frequency="annual",
        service=org["hr"],
    )
    stf90.data_entry_officers.add(users["officer"])
    Indicator.objects.create(
        reference="STF15",
        title="Sickness",
        category="workforce",
        unit="days",
        decimal_places=1,
        polarity="up_is_bad",
        frequency="annual",
        service=org["waste"],
    )
    batch = import_preview(user=users["officer"], filename="a.xlsx", data=table_3_3)
    reasons = {r["value"]: r["reason"] for r in batch.plan["rejected"]}
    assert "Unknown indicator" in reasons["CFD01"] and "Not one of your" in reasons["STF15"]
    assert batch.plan["create_indicators"] == []
    import_apply(user=users["officer"], batch=batch)
    assert set(Result.objects.values_list("status", flat=True)) == {"draft"}
    assert set(Result.objects.values_list("indicator__reference", flat=True)) == {"STF90"}


@pytest.mark.django_db
def test_rejected_cells_say_where_and_why(users, org):
    Indicator.objects.create(
        reference="STF90",
        title="PDR",
        category="workforce",
        unit="percentage",
        polarity="up_is_good",
        frequency="annual",
        service=org["hr"],
    )
    data = xlsx([HEADER, ["STF90", "PDR", "abc", "171%", "82% (Q9)", "Up is Good", "", "", ""]])
    plan = import_preview(user=users["hub"], filename="a.xlsx", data=data).plan
    cells = {(r["sheet"], r["row"], r["column"]): r["reason"] for r in plan["rejected"]}
    assert "not a number" in cells[("Table 3.3", 2, "C")]
    assert "between 0 and 100" in cells[("Table 3.3", 2, "D")]
    assert "does not name a period" in cells[("Table 3.3", 2, "E")]


def _formula_without_cache() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["STF90", "PDR", None, "=1+1", None, "Up is Good"])
    buffer = io.BytesIO()
    workbook.save(buffer)  # openpyxl never stores a cached value
    return buffer.getvalue()


def _macro_enabled(table) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(table)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\x00" * 10)
    return buffer.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,make,fragment",
    [
        ("notes.docx", lambda t: b"PK\x03\x04not really a zip", "damaged"),
        ("photo.png", lambda t: b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "not a workbook"),
        ("secret.xlsx", lambda t: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "password-protected"),
        ("book.xlsm", lambda t: t, "Macro-enabled"),
        ("book.xlsx", _macro_enabled, "macros"),
        ("book.xlsx", lambda t: t[: len(t) // 2], "damaged"),
        ("book.xlsx", lambda t: _formula_without_cache(), "formula with no saved value"),
        ("big.csv", lambda t: b"Reference ID,2015/16\n" + b"STF90,1\n" * 30, "rows"),
        ("big.csv", lambda t: b"x" * 2000, "the limit is"),
        ("empty.csv", lambda t: b"", "empty"),
    ],
)
def test_refused_files_write_nothing(users, table_3_3, settings, name, make, fragment):
    settings.KPI_IMPORT_MAX_ROWS = 20
    settings.KPI_IMPORT_MAX_BYTES = (
        1000 if name == "big.csv" and fragment == "the limit is" else 10 * 1024 * 1024
    )
    batch = import_preview(user=users["hub"], filename=name, data=make(table_3_3))
    assert fragment in batch.plan["refused"]
    with pytest.raises(PermissionDenied):
        import_apply(user=users["hub"], batch=batch)
    assert not Indicator.objects.exists() and not Result.objects.exists()


@pytest.mark.django_db
def test_csv_import(users):
    data = (
        b"Reference ID,Indicator Description,2014/15 Result,2015/16 Result,Polarity\n"
        b"STF15,Average sickness days lost per FTE - OCE - (YTD),6.4,6.5,Up is Bad\n"
    )
    batch = import_preview(user=users["hub"], filename="t.csv", data=data)
    assert len(batch.plan["writes"]) == 2


@pytest.mark.django_db
def test_round_trip_export_then_import_changes_nothing(client, users, table_3_3):
    import_apply(
        user=users["hub"], batch=import_preview(user=users["hub"], filename="a.xlsx", data=table_3_3)
    )
    Result.objects.filter(indicator__reference="STF15", period__label="2015/16").update(
        commentary='=HYPERLINK("http://evil") - up on last year'
    )
    client.force_login(users["hub"])
    for fmt in ("xlsx", "csv"):
        for query in ("period=fy2015-16", "period=fy2015-16-q3", ""):
            exported = client.get(f"/exports/results.{fmt}?{query}")
            assert exported.status_code == 200
            batch = import_preview(user=users["hub"], filename=f"export.{fmt}", data=exported.content)
            assert batch.plan["writes"] == [] and batch.plan["rejected"] == [], (fmt, query, batch.plan)
            assert batch.plan["unchanged_count"] > 0


@pytest.mark.django_db
def test_export_neutralises_formulas_and_keeps_numbers(client, users, table_3_3):
    import_apply(
        user=users["hub"], batch=import_preview(user=users["hub"], filename="a.xlsx", data=table_3_3)
    )
    Result.objects.filter(indicator__reference="BPI107", period__label="2013/14").update(commentary="@SUM(1)")
    client.force_login(users["hub"])
    sheet = load_workbook(io.BytesIO(client.get("/exports/results.xlsx?period=fy2013-14").content)).active
    rows = list(sheet.values)
    bpi = next(r for r in rows if r[0] == "BPI107")
    assert bpi[2] == -4 and isinstance(bpi[2], int)
    assert bpi[-1] == "'@SUM(1)"
    csv_text = client.get("/exports/results.csv?period=fy2013-14").content.decode("utf-8-sig")
    assert "'@SUM(1)" in csv_text and ",-4," in csv_text


@pytest.mark.django_db
def test_library_and_template_exports(client, users, table_3_3):
    import_apply(
        user=users["hub"], batch=import_preview(user=users["hub"], filename="a.xlsx", data=table_3_3)
    )
    client.force_login(users["hub"])
    library = client.get("/exports/library.csv").content.decode("utf-8-sig")
    assert "STF15" in library and "Up is Bad" in library
    assert client.get("/exports/library.pdf").status_code == 404
    assert client.get("/exports/template.xlsx").status_code == 404
    assert client.get("/exports/template.xlsx?period=2015-12").status_code == 200


@pytest.mark.django_db
def test_import_pages_preview_then_confirm(client, users, table_3_3):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(users["hub"])
    assert client.get("/imports/").status_code == 200
    assert client.post("/imports/", {}).status_code == 400
    response = client.post("/imports/", {"file": SimpleUploadedFile("sip.xlsx", table_3_3)})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert "Confirm and import" in preview.content.decode() and not Result.objects.exists()
    client.post(response["Location"])
    assert Result.objects.count() == 17
    for role in ("auditor", "councillor", "director"):
        client.force_login(users[role])
        assert client.get("/imports/").status_code == 403
    client.force_login(users["officer"])
    assert client.get(response["Location"]).status_code == 403  # someone else's batch
    client.logout()
    assert client.get("/imports/").status_code == 302


@pytest.mark.django_db
def test_refused_upload_page_says_why(client, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(users["hub"])
    response = client.post("/imports/", {"file": SimpleUploadedFile("x.xlsm", b"PK\x03\x04")}, follow=True)
    assert response.status_code == 200 and "Macro-enabled" in response.content.decode()
    assert "Confirm and import" not in response.content.decode()


@pytest.mark.django_db
def test_command_dry_run_then_import(tmp_path, table_3_3, capsys, org):
    path = tmp_path / "sip.xlsx"
    path.write_bytes(table_3_3)
    call_command("import_workbook", str(path), "--dry-run", "--service", "hr")
    assert "Dry run" in capsys.readouterr().out and not Indicator.objects.exists()
    assert not ImportBatch.objects.exists()
    call_command("import_workbook", str(path), "--service", "hr")
    assert Indicator.objects.filter(service=org["hr"]).count() == 7
    bad = tmp_path / "x.xlsm"
    bad.write_bytes(b"PK")
    with pytest.raises(CommandError, match="Macro"):
        call_command("import_workbook", str(bad))
    assert Result.objects.filter(value=Decimal("6.5")).exists()


@pytest.mark.django_db
def test_large_import_queues_one_recompute_per_indicator(
    users, org, django_capture_on_commit_callbacks, monkeypatch
):
    """50 results for 5 indicators: each recomputed once (one task for the 5) once the import
    commits, not 50 (one a row)."""
    from indicators import signals

    queued = []
    monkeypatch.setattr(signals, "enqueue_many_safely", queued.append)
    for n in range(5):
        Indicator.objects.create(
            reference=f"BIG{n}",
            title=f"Bulk indicator {n}",
            category="performance",
            unit="count",
            polarity="up_is_good",
            frequency="monthly",
            service=org["hr"],
        )
    months = ["Apr 2015", "May 2015", "Jun 2015", "Jul 2015", "Aug 2015"]
    months += ["Sep 2015", "Oct 2015", "Nov 2015", "Dec 2015", "Jan 2016"]
    lines = ["Reference ID," + ",".join(months)]
    lines += [f"BIG{n}," + ",".join(str(10 * n + m) for m in range(10)) for n in range(5)]
    batch = import_preview(user=users["hub"], filename="big.csv", data="\n".join(lines).encode())
    assert len(batch.plan["writes"]) == 50, batch.plan.get("rejected")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        summary = import_apply(user=users["hub"], batch=batch)
    assert summary["results_written"] == 50 and Result.objects.count() == 50
    ids = sorted(Indicator.objects.filter(reference__startswith="BIG").values_list("id", flat=True))
    assert queued == [ids]  # each indicator once, in one task
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_saves_outside_an_import_still_queue_their_own_recompute(django_capture_on_commit_callbacks, org):
    from indicators.signals import enqueue_recompute, recomputes_collected

    with django_capture_on_commit_callbacks() as callbacks:
        enqueue_recompute(1)
        enqueue_recompute(1)
    assert len(callbacks) == 2  # one a save, as before: collecting is opt-in
    with django_capture_on_commit_callbacks() as callbacks:
        with recomputes_collected():
            with recomputes_collected():  # nested blocks join the outer one
                enqueue_recompute(2)
            enqueue_recompute(2)
            enqueue_recompute(3)
    assert len(callbacks) == 1  # indicators 2 and 3 in one task
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), recomputes_collected():
            enqueue_recompute(4)
            raise RuntimeError("the import failed")
    assert callbacks == []  # a failed block queues nothing
