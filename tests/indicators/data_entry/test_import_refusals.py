"""Workbook imports refuse what they must: stale previews, wrong period kinds, red results without
commentary, oversize files; a targets import says targets."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators.data_entry.services.imports import (
    RED_NEEDS_COMMENTARY,
    ImportStale,
    import_apply,
    import_preview,
)
from indicators.models import ImportBatch, Indicator, Result, ResultChange, Target
from indicators.services.periods import ensure_periods
from indicators.workbooks.reader import WorkbookRefused, read_upload

MB = 1024 * 1024
DEC_2015 = ("month", datetime.date(2015, 12, 1))
NOV_2015 = ("month", datetime.date(2015, 11, 1))
FY_2015 = ("year", datetime.date(2015, 4, 1))


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def _stored(indicator, key, value, commentary="Agreed with the head of service"):
    period = ensure_periods([key])[key]
    return Result.objects.create(
        indicator=indicator, period=period, value=Decimal(value), commentary=commentary, status="approved"
    )


# --- 1. Confirming a preview whose rows changed since writes nothing -------------------------


@pytest.mark.django_db
def test_confirm_refuses_when_a_value_changed_since_the_preview(pdr, users):
    result = _stored(pdr, DEC_2015, 78)
    data = _csv("Reference ID,Dec 2015,Commentary", "STF90,50,Staff away")
    batch = import_preview(user=users["hub"], filename="t.csv", data=data)
    assert [(w["old"], w["new"]) for w in batch.plan["writes"]] == [("78", "50")]
    Result.objects.filter(pk=result.pk).update(value=Decimal(77), version=result.version + 1)
    with pytest.raises(ImportStale) as refusal:
        import_apply(user=users["hub"], batch=batch)
    assert "STF90 Dec 2015" in str(refusal.value) and "Upload the file again" in str(refusal.value)
    result.refresh_from_db()
    assert result.value == 77 and result.commentary == "Agreed with the head of service"
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.PREVIEWED
    assert not ResultChange.objects.filter(action="import").exists()


@pytest.mark.django_db
def test_stale_row_blocks_the_whole_batch_including_new_results(pdr, users):
    result = _stored(pdr, DEC_2015, 78)
    data = _csv(
        "Reference ID,Nov 2015,Dec 2015,Commentary", "STF90,88,80,Two staff were off sick"
    )  # red: a sentence (issue 10 item 3)
    batch = import_preview(user=users["hub"], filename="t.csv", data=data)
    assert len(batch.plan["writes"]) == 2
    # Same value, but edited since (commentary changed, version bumped).
    Result.objects.filter(pk=result.pk).update(commentary="New words", version=result.version + 1)
    with pytest.raises(ImportStale):
        import_apply(user=users["hub"], batch=batch)
    assert not Result.objects.filter(period__start=NOV_2015[1]).exists()


@pytest.mark.django_db
def test_stale_when_a_result_appeared_since_the_preview(pdr, users):
    batch = import_preview(
        user=users["hub"], filename="t.csv", data=_csv("Reference ID,Dec 2015", "STF90,90")
    )
    _stored(pdr, DEC_2015, 77)
    with pytest.raises(ImportStale):
        import_apply(user=users["hub"], batch=batch)
    assert Result.objects.get().value == 77


@pytest.mark.django_db
def test_unchanged_since_preview_imports(pdr, users):
    _stored(pdr, DEC_2015, 78)
    batch = import_preview(
        user=users["hub"], filename="t.csv", data=_csv("Reference ID,Dec 2015", "STF90,90")
    )
    assert import_apply(user=users["hub"], batch=batch)["results_written"] == 1
    assert Result.objects.get().value == 90


@pytest.mark.django_db
def test_confirm_page_says_which_rows_changed(client, pdr, users):
    result = _stored(pdr, DEC_2015, 78)
    client.force_login(users["hub"])
    response = client.post(
        "/imports/",
        {
            "file": SimpleUploadedFile(
                "t.csv", _csv("Reference ID,Dec 2015,Commentary", "STF90,50,Backlog after the system outage")
            )
        },
    )
    preview_url = response["Location"]
    assert "78" in client.get(preview_url).content.decode()
    Result.objects.filter(pk=result.pk).update(value=Decimal(77), version=result.version + 1)
    page = client.post(preview_url, follow=True).content.decode()
    assert "changed since the preview" in page and "STF90 Dec 2015" in page
    assert Result.objects.get().value == 77


# --- 2. Values for the wrong kind of period are rejected -------------------------------------


@pytest.fixture
def annual(org, users):
    return Indicator.objects.create(
        reference="CSC08",
        title="Annual satisfaction (%)",
        category="customer",
        unit="percentage",
        decimal_places=0,
        polarity="up_is_good",
        frequency="annual",
        service=org["hr"],
    )


@pytest.mark.django_db
def test_month_value_for_annual_indicator_is_rejected_year_accepted(annual, users):
    data = _csv("Reference ID,Dec 2015,2015/16", "CSC08,70,72")
    batch = import_preview(user=users["hub"], filename="t.csv", data=data)
    assert [(w["kind"], w["new"]) for w in batch.plan["writes"]] == [("year", "72")]
    [rejected] = batch.plan["rejected"]
    assert rejected["value"] == "70" and "annual" in rejected["reason"] and "month" in rejected["reason"]
    assert rejected["sheet"] and rejected["row"] and rejected["column"]
    import_apply(user=users["hub"], batch=batch)
    assert list(Result.objects.values_list("period__kind", flat=True)) == ["year"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "frequency,header,accepted",
    [
        ("monthly", "Q3 2015/16", False),
        ("monthly", "Dec 2015", True),
        ("monthly", "2015/16", True),
        ("quarterly", "Dec 2015", False),
        ("quarterly", "Q3 2015/16", True),
        ("annual", "Q3 2015/16", False),
    ],
)
def test_period_kind_must_match_frequency_or_be_a_year(annual, users, frequency, header, accepted):
    Indicator.objects.filter(pk=annual.pk).update(frequency=frequency)
    batch = import_preview(
        user=users["hub"], filename="t.csv", data=_csv(f"Reference ID,{header}", "CSC08,70")
    )
    assert bool(batch.plan["writes"]) is accepted
    assert bool(batch.plan["rejected"]) is not accepted


# --- 3. A red result needs commentary --------------------------------------------------------


@pytest.mark.django_db
def test_red_without_commentary_is_rejected(pdr, users, periods):
    batch = import_preview(
        user=users["hub"], filename="t.csv", data=_csv("Reference ID,Dec 2015", "STF90,50")
    )
    assert not batch.plan["writes"]
    [rejected] = batch.plan["rejected"]
    assert rejected["reason"] == RED_NEEDS_COMMENTARY and rejected["value"] == "50"
    assert "Commentary column" in RED_NEEDS_COMMENTARY


@pytest.mark.django_db
def test_red_replacing_a_result_without_commentary_is_rejected(pdr, users):
    _stored(pdr, DEC_2015, 78, commentary="")
    batch = import_preview(
        user=users["hub"], filename="t.csv", data=_csv("Reference ID,Dec 2015", "STF90,50")
    )
    assert batch.plan["rejected"][0]["reason"] == RED_NEEDS_COMMENTARY and not batch.plan["writes"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lines,existing_commentary",
    [
        (("Reference ID,Dec 2015,Commentary", "STF90,50,Staff on long-term leave"), None),
        (("Reference ID,Dec 2015", "STF90,50"), "Staff on long-term leave"),
        (("Reference ID,Dec 2015", "STF90,90"), None),  # green needs no commentary
    ],
)
def test_red_with_commentary_or_green_is_accepted(pdr, users, periods, lines, existing_commentary):
    if existing_commentary:
        _stored(pdr, DEC_2015, 78, commentary=existing_commentary)
    batch = import_preview(user=users["hub"], filename="t.csv", data=_csv(*lines))
    assert len(batch.plan["writes"]) == 1 and not batch.plan["rejected"]


# --- 4. Targets imports talk about targets ---------------------------------------------------


@pytest.mark.django_db
def test_targets_import_pages_say_targets(client, pdr, users):
    client.force_login(users["hub"])
    response = client.post(
        "/targets/import/", {"file": SimpleUploadedFile("t.csv", _csv("Reference ID,2016/17", "STF90,90"))}
    )
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert "1 target to set or change" in preview
    assert (
        "drafts" not in preview
        and "result" not in preview.lower().split("import-summary")[1].split("</p>")[0]
    )
    page = client.post(response["Location"], follow=True).content.decode()
    assert "1 target written" in page and "result written" not in page and "results written" not in page
    assert Target.objects.filter(period__start=datetime.date(2016, 4, 1)).count() == 1


@pytest.mark.django_db
def test_results_import_pages_still_say_results(client, pdr, users):
    client.force_login(users["officer"])
    response = client.post(
        "/imports/", {"file": SimpleUploadedFile("t.csv", _csv("Reference ID,Dec 2015", "STF90,90"))}
    )
    preview = client.get(response["Location"]).content.decode()
    assert "1 result to create or change" in preview and "drafts for you to submit" in preview
    assert "1 result written" in client.post(response["Location"], follow=True).content.decode()


# --- 5. An oversized file's size is not rounded down to the limit ----------------------------


def test_oversized_file_is_not_shown_as_the_limit():
    limit = 10 * MB
    with pytest.raises(WorkbookRefused) as refusal:
        read_upload("big.csv", b"x" * (limit + 1), max_bytes=limit, max_rows=10)
    assert "The file is 10.0 MB" not in str(refusal.value) and "the limit is 10.0 MB" in str(refusal.value)
    with pytest.raises(WorkbookRefused) as refusal:
        read_upload("big.csv", b"x" * (limit + 1), max_bytes=limit, max_rows=10, size=11 * MB)
    assert "The file is 11.0 MB; the limit is 10.0 MB" in str(refusal.value)
    with pytest.raises(WorkbookRefused) as refusal:
        read_upload("big.csv", b"x" * (limit + 20 * 1024), max_bytes=limit, max_rows=10)
    assert "The file is 10.020 MB" in str(refusal.value)


def test_file_at_the_limit_is_not_refused_for_size():
    assert read_upload("ok.csv", b"a,b\n1,2\n", max_bytes=8, max_rows=10)


@pytest.mark.django_db
def test_upload_page_shows_the_real_size(client, users, settings):
    settings.KPI_IMPORT_MAX_BYTES = 10 * MB
    client.force_login(users["hub"])
    response = client.post("/imports/", {"file": SimpleUploadedFile("big.csv", b"x" * (11 * MB))})
    page = client.get(response["Location"]).content.decode()
    assert "The file is 11.0 MB; the limit is 10.0 MB" in page
    assert not Result.objects.exists()


def test_fixture_keys_are_what_the_tests_assume():
    assert DEC_2015[0] == "month" and FY_2015[0] == "year"
