"""Importing comparator values: preview, confirm, refusals, idempotence and the hub-only pages."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from indicators.benchmarks.services import comparator_values_import, comparator_values_preview
from indicators.models import ComparatorGroup, ComparatorOrganisation, ComparatorValue, ImportBatch

HEADER = ["Indicator reference", "Period", "Organisation", "Value"]


def as_csv(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def as_xlsx(rows) -> bytes:
    workbook = Workbook()
    workbook.active.title = "Comparators"
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def values():
    return sorted(
        ComparatorValue.objects.values_list(
            "indicator__reference", "period__label", "organisation__name", "value"
        )
    )


def test_preview_writes_nothing_and_reports_every_rejected_cell(users, library):
    data = as_xlsx(
        [
            HEADER,
            ["STF90", "2014/15", "Derby", "82.5%"],
            ["STF90", "Q3 2015/16", "e06000015", 80],  # matched by code, any case
            ["STF90", "Dec 2015", "Leicester", 79],  # unknown organisation, creation not ticked
            ["NOPE1", "2014/15", "Derby", 1],  # unknown indicator
            ["STF90", "2014-15", "Derby", 1],  # not a period
            ["STF90", "2013/14", "Derby", "lots"],  # not a number
            ["STF90", "2014/15", "DERBY", 83],  # second value for the same key
            ["STF90", "2012/13", "Derby", "-"],  # no value: left alone
        ]
    )
    batch = comparator_values_preview(user=users["hub"], filename="cipfa.xlsx", data=data)
    assert values() == [] and ComparatorOrganisation.objects.count() == 1
    plan = batch.plan
    assert [(v["label"], v["organisation"], v["new"], v["action"]) for v in plan["values"]] == [
        ("2014/15", "Derby", "82.5", "create"),
        ("Q3 2015/16", "Derby", "80", "create"),
    ]
    rejected = {(r["sheet"], r["row"], r["column"]): r["reason"] for r in plan["rejected"]}
    assert rejected[("Comparators", 4, "C")].startswith("Unknown organisation")
    assert rejected[("Comparators", 5, "A")].startswith("Unknown indicator")
    assert rejected[("Comparators", 6, "B")].startswith("Not a period")
    assert "is not a number" in rejected[("Comparators", 7, "D")]
    assert rejected[("Comparators", 8, "D")].startswith("A second value")
    assert len(rejected) == 5
    assert any("1 row with no value" in note for note in plan["notes"])


def test_confirm_creates_organisations_into_the_group_and_a_second_import_changes_nothing(users, library):
    data = as_csv(
        [
            HEADER,
            ["STF90", "2014/15", "Derby", "82.5"],
            ["STF90", "2014/15", "Leicester", "79"],
            ["STF90", "2014/15", "E06000016", "77"],
        ]
    )
    batch = comparator_values_preview(
        user=users["hub"], filename="a.csv", data=data, create_organisations=True, group=library
    )
    assert [o["code"] for o in batch.plan["create_organisations"]] == ["LEICESTER", "E06000016"]
    summary = comparator_values_import(user=users["hub"], batch=batch)
    assert summary == {"organisations_created": 2, "values_written": 3, "rejected": 0}
    assert values() == [
        ("STF90", "2014/15", "Derby", Decimal("82.5")),
        ("STF90", "2014/15", "E06000016", Decimal("77")),
        ("STF90", "2014/15", "Leicester", Decimal("79")),
    ]
    assert sorted(library.members.values_list("name", flat=True)) == ["E06000016", "Leicester"]
    # Confirming the same batch again, and importing the same file again, change nothing.
    assert comparator_values_import(user=users["hub"], batch=batch)["already_applied"]
    again = comparator_values_preview(
        user=users["hub"], filename="a.csv", data=data, create_organisations=True, group=library
    )
    assert again.plan["values"] == [] and again.plan["create_organisations"] == []
    assert again.plan["unchanged_count"] == 3
    assert comparator_values_import(user=users["hub"], batch=again)["values_written"] == 0
    assert ComparatorOrganisation.objects.count() == 3


def test_a_changed_value_is_shown_with_its_old_value_and_updated(users, library):
    comparator_values_import(
        user=users["hub"],
        batch=comparator_values_preview(
            user=users["hub"], filename="a.csv", data=as_csv([HEADER, ["STF90", "2014/15", "Derby", "80"]])
        ),
    )
    batch = comparator_values_preview(
        user=users["hub"], filename="b.csv", data=as_csv([HEADER, ["STF90", "2014/15", "Derby", "81"]])
    )
    assert [(v["old"], v["new"], v["action"]) for v in batch.plan["values"]] == [("80", "81", "change")]
    comparator_values_import(user=users["hub"], batch=batch)
    assert values() == [("STF90", "2014/15", "Derby", Decimal("81"))]


@pytest.mark.parametrize(
    ("filename", "data", "words"),
    [
        ("a.xlsm", b"PK\x03\x04whatever", "Macro-enabled"),
        ("a.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 100, "password-protected"),
        ("a.xlsx", b"PK\x03\x04 broken zip", "damaged"),
        ("a.pdf", b"%PDF-1.4", "not a workbook"),
        ("a.csv", b"", "empty"),
    ],
)
def test_refused_files_write_nothing_and_cannot_be_confirmed(users, library, filename, data, words):
    batch = comparator_values_preview(user=users["hub"], filename=filename, data=data)
    assert words in batch.plan["refused"]
    with pytest.raises(PermissionDenied):
        comparator_values_import(user=users["hub"], batch=batch)
    assert values() == [] and ComparatorOrganisation.objects.count() == 1


def test_oversized_and_too_many_rows_are_refused(settings, users, library):
    settings.KPI_IMPORT_MAX_ROWS = 3
    rows = [HEADER] + [["STF90", "2014/15", f"Org {i}", i] for i in range(5)]
    assert (
        "rows"
        in comparator_values_preview(user=users["hub"], filename="a.csv", data=as_csv(rows)).plan["refused"]
    )
    settings.KPI_IMPORT_MAX_BYTES = 10
    assert (
        "limit"
        in comparator_values_preview(user=users["hub"], filename="a.csv", data=as_csv(rows)).plan["refused"]
    )


def test_formula_without_a_saved_value_is_refused(users, library):
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(["STF90", "2014/15", "Derby", "=1+1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = comparator_values_preview(user=users["hub"], filename="f.xlsx", data=buffer.getvalue())
    assert "formula with no saved value" in batch.plan["refused"]


@pytest.mark.parametrize("role", ["officer", "head", "director", "cmt", "councillor", "scrutiny", "auditor"])
def test_only_the_hub_may_import(users, library, role):
    with pytest.raises(PermissionDenied):
        comparator_values_preview(user=users[role], filename="a.csv", data=as_csv([HEADER]))
    batch = comparator_values_preview(
        user=users["hub"], filename="a.csv", data=as_csv([HEADER, ["STF90", "2014/15", "Derby", "80"]])
    )
    with pytest.raises(PermissionDenied):
        comparator_values_import(user=users[role], batch=batch)
    assert values() == []


# Pages ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/benchmarks/", "/benchmarks/import/"])
def test_pages_are_for_the_hub_only(client, users, library, url):
    assert client.get(url).status_code == 302  # anonymous: sign in
    assert "/accounts/login/" in client.get(url)["Location"]
    for role in ("officer", "director", "cmt", "councillor", "auditor"):
        client.force_login(users[role])
        assert client.get(url).status_code == 403
    client.force_login(users["hub"])
    assert client.get(url).status_code == 200


def test_groups_page_lists_members_and_counts_in_fixed_queries(
    client, users, library, django_assert_num_queries
):
    client.force_login(users["hub"])
    derby = ComparatorOrganisation.objects.get(name="Derby")
    library.members.add(derby)
    response = client.get("/benchmarks/")  # warm the session and user caches
    with django_assert_num_queries(len_queries := _queries(client, "/benchmarks/")):
        client.get("/benchmarks/")
    for i in range(10):
        org = ComparatorOrganisation.objects.create(name=f"<b>Council {i}</b>", code=f"X{i}")
        library.members.add(org)
    ComparatorGroup.objects.create(name="National", slug="national")
    with django_assert_num_queries(len_queries):
        response = client.get("/benchmarks/")
    assert b"&lt;b&gt;Council 3&lt;/b&gt;" in response.content
    assert b"11 members" in response.content and b"National" in response.content


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def test_upload_preview_confirm_through_the_pages(client, users, library):
    client.force_login(users["hub"])
    upload = SimpleUploadedFile(
        "cipfa.csv", as_csv([HEADER, ["STF90", "2014/15", "Leicester", "79"], ["STF90", "x", "Derby", "1"]])
    )
    response = client.post(
        "/benchmarks/import/", {"file": upload, "create_organisations": "on", "group": library.id}
    )
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert b"1 organisation to create and add to CIPFA nearest neighbours" in preview.content
    assert b'id="rejected"' in preview.content and b"Not a period" in preview.content
    assert values() == []
    client.post(response["Location"])
    assert values() == [("STF90", "2014/15", "Leicester", Decimal("79"))]
    page = client.get(response["Location"])
    assert b"Imported" in page.content
    # Another hub member sees it (as with result imports) but cannot confirm it.
    other = users["hub"].__class__.objects.create_user("hub2")
    from organisation.models import Profile, Role

    Profile.objects.create(user=other, role=Role.HUB)
    client.force_login(other)
    assert client.get(response["Location"]).status_code == 200
    assert client.post(response["Location"]).status_code == 403


def test_upload_form_errors_are_explained(client, users, library):
    client.force_login(users["hub"])
    response = client.post("/benchmarks/import/", {"group": "999"})
    assert response.status_code == 400
    assert b"govuk-error-summary" in response.content
    assert b"Choose an .xlsx or .csv file to import" in response.content
    assert b"Choose one of the comparator groups listed" in response.content
    assert ImportBatch.objects.count() == 0


def test_preview_of_another_kind_of_batch_is_404(client, users, library):
    batch = ImportBatch.objects.create(filename="r.csv", sha256="0", kind="results", uploaded_by=users["hub"])
    client.force_login(users["hub"])
    assert client.get(f"/benchmarks/import/{batch.pk}/").status_code == 404


def test_period_labels_map_to_the_right_periods(users, library):
    data = as_csv(
        [
            HEADER,
            ["STF90", "2014/15", "Derby", 1],
            ["STF90", "Q4 2015/16", "Derby", 2],
            ["STF90", "Dec 2015", "Derby", 3],
        ]
    )
    batch = comparator_values_preview(user=users["hub"], filename="p.csv", data=data)
    comparator_values_import(user=users["hub"], batch=batch)
    assert sorted(ComparatorValue.objects.values_list("period__kind", "period__start", "value")) == [
        ("month", datetime.date(2015, 12, 1), Decimal(3)),
        ("quarter", datetime.date(2016, 1, 1), Decimal(2)),
        ("year", datetime.date(2014, 4, 1), Decimal(1)),
    ]


def test_hub_nav_links_to_benchmarking_and_others_do_not_see_it(client, users, library):
    client.force_login(users["hub"])
    assert b'href="/benchmarks/"' in client.get("/benchmarks/").content
    client.force_login(users["cmt"])
    assert b'href="/benchmarks/"' not in client.get("/").content


@pytest.mark.django_db
def test_a_comparator_batch_is_not_found_on_the_results_preview_page(client, users):
    from indicators.models import ImportBatch

    batch = ImportBatch.objects.create(
        uploaded_by=users["hub"], filename="c.csv", kind="comparators", plan={}
    )
    client.force_login(users["hub"])
    assert client.get(f"/imports/{batch.pk}/").status_code == 404
    assert client.post(f"/imports/{batch.pk}/", {"confirm": "1"}).status_code == 404
