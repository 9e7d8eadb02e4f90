"""Issue 10 item 2: changes to targets and to what judges a result leave a trace on /audit/ —
who, when, old → new and why — whether made in the admin, a form, an import or a command.

Before the fix a target changed in /admin/indicators/target/ (CEO03 2015/16 from 90 to 70) and an
indicator's polarity changed in the admin were missing from /audit/, and the admin asked for no
reason.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from indicators.models import Indicator, RecomputeMark, Target, TargetChange
from indicators.models.library import HISTORY_BASELINE_REASON, JUDGING_FIELDS, UNJUDGED_FIELDS
from indicators.selectors import result_history
from tests.indicators.data_entry.conftest import xlsx_bytes

pytestmark = pytest.mark.django_db
FY_2015 = ("year", datetime.date(2015, 4, 1))
History = Indicator.history.model


def _staff(user):
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="indicators"))
    return user


@pytest.fixture
def hub(users):
    return _staff(users["hub"])


def _form_data(response) -> dict:
    """What the admin's change form would send back unchanged: its fields and its inlines."""

    def values(form, data):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [getattr(v, "pk", v) for v in value]
            elif value is not None:
                data[key] = getattr(value, "pk", value)

    data: dict = {}
    values(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        values(formset.management_form, data)
        for form in formset.forms:
            values(form, data)
    return data


def _audit(client, **filters):
    return client.get("/audit/", filters)


def test_tracked_fields_are_exactly_the_judging_fields():
    tracked = {f.name for f in History._meta.fields} - {
        "id",
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "history_user",
    }
    assert tracked == set(JUDGING_FIELDS)
    concrete = {f.name for f in Indicator._meta.concrete_fields} - {"id"}
    assert concrete == set(JUDGING_FIELDS) | set(UNJUDGED_FIELDS)


def test_admin_target_change_asks_for_a_reason_and_reaches_the_audit_trail(client, hub, users, pdr, periods):
    target = Target.objects.get(indicator=pdr, period=periods[FY_2015])
    client.force_login(hub)
    url = f"/admin/indicators/target/{target.id}/change/"
    refused = client.post(url, {"value": "70"})
    assert refused.status_code == 200 and "Enter the reason for the change" in refused.content.decode()
    target.refresh_from_db()
    assert target.value == Decimal(85) and not TargetChange.objects.exists()

    assert client.post(url, {"value": "70", "change_reason": "Revised by CMT"}).status_code == 302
    change = TargetChange.objects.get()
    assert (change.old_value, change.new_value, change.reason, change.changed_by) == (
        Decimal(85),
        Decimal(70),
        "Revised by CMT",
        hub,
    )
    client.force_login(users["auditor"])
    entry = _audit(client, kind="target").context["history"][0]
    assert (entry.reference, entry.period_label, entry.old_display, entry.new_display) == (
        "STF90",
        "2015/16",
        "85%",
        "70%",
    )
    assert entry.reason == "Revised by CMT" and entry.changed_by == "Hub"


def test_admin_adds_a_target_with_its_reason_and_refuses_a_far_future_year(client, hub, pdr, periods):
    from indicators.services.periods import ensure_periods

    far = ensure_periods([("year", datetime.date(2030, 4, 1))])[("year", datetime.date(2030, 4, 1))]
    month = periods[("month", datetime.date(2015, 12, 1))]
    client.force_login(hub)
    data = {"indicator": pdr.id, "period": month.id, "value": "84", "change_reason": "Profile"}
    assert client.post("/admin/indicators/target/add/", data).status_code == 302
    assert TargetChange.objects.get().old_value is None
    refused = client.post("/admin/indicators/target/add/", {**data, "period": far.id})
    assert refused.status_code == 200 and "Targets can be set up to" in refused.content.decode()
    assert not Target.objects.filter(period=far).exists()


def test_admin_target_pages_are_for_the_hub_and_never_bulk_delete(client, users, pdr, periods):
    head = _staff(users["head"])  # staff with every permission, but not the hub
    target = Target.objects.get(indicator=pdr, period=periods[FY_2015])
    client.force_login(head)
    assert client.get("/admin/indicators/target/add/").status_code == 403
    response = client.post(
        f"/admin/indicators/target/{target.id}/change/", {"value": "1", "change_reason": "x"}
    )
    assert response.status_code in (302, 403) or "readonly" in response.content.decode()
    target.refresh_from_db()
    assert target.value == Decimal(85) and not TargetChange.objects.exists()
    client.force_login(_staff(users["hub"]))
    page = client.get("/admin/indicators/target/").content.decode()
    assert "delete_selected" not in page
    assert client.get(f"/admin/indicators/target/{target.id}/delete/").status_code == 403


def test_admin_indicator_change_records_judging_fields_with_who_and_why(client, hub, users, pdr):
    client.force_login(hub)
    url = f"/admin/indicators/indicator/{pdr.id}/change/"
    data = _form_data(client.get(url))
    data.update(polarity="up_is_bad", tolerance="2")
    refused = client.post(url, data)
    assert refused.status_code == 200 and "Enter the reason for the change" in refused.content.decode()
    pdr.refresh_from_db()
    assert pdr.polarity == "up_is_good" and History.objects.filter(id=pdr.id).count() == 1  # created

    assert client.post(url, {**data, "change_reason": "Polarity was wrong"}).status_code == 302
    row = History.objects.filter(id=pdr.id).latest()
    assert (row.history_type, row.history_user, row.history_change_reason) == ("~", hub, "Polarity was wrong")
    # The changed judging field rejudges the results (queued after commit; marked now).
    assert RecomputeMark.objects.filter(indicator_id=pdr.id).exists()

    client.force_login(users["auditor"])
    entry = _audit(client, kind="setting").context["history"][0]
    assert (entry.reference, entry.action_label, entry.changed_by, entry.reason) == (
        "STF90",
        "Indicator settings changed",
        "Hub",
        "Polarity was wrong",
    )
    assert {d.label: (d.old, d.new) for d in entry.details} == {
        "Polarity": ("Up is Good", "Up is Bad"),
        "Tolerance": ("5", "2"),
    }
    page = _audit(client).content.decode()
    assert "Polarity changed" in page and "Up is Bad" in page and "Polarity was wrong" in page
    rows = list(csv.reader(io.StringIO(client.get("/audit/export.csv").content.decode("utf-8-sig"))))
    assert rows[0][-1] == "Details"
    assert "Polarity: Up is Good → Up is Bad; Tolerance: 5 → 2" in [r[-1] for r in rows]
    assert _audit(client, kind="setting", changed_by="hub").context["history"][0].id == row.history_id
    assert not _audit(client, kind="setting", changed_by="officer").context["history"]


def test_a_change_to_other_fields_adds_no_settings_history(client, hub, pdr):
    client.force_login(hub)
    url = f"/admin/indicators/indicator/{pdr.id}/change/"
    data = {**_form_data(client.get(url)), "title": "PDR completion", "change_reason": "Clearer title"}
    assert client.post(url, data).status_code == 302
    assert History.objects.filter(id=pdr.id).count() == 1


def test_targets_inline_on_the_indicator_writes_target_history_with_the_reason(client, hub, pdr, periods):
    client.force_login(hub)
    url = f"/admin/indicators/indicator/{pdr.id}/change/"
    data = _form_data(client.get(url))
    data.update({"targets-0-value": "80", "change_reason": "Lowered at mid-year review"})
    assert client.post(url, data).status_code == 302
    change = TargetChange.objects.get()
    assert (change.old_value, change.new_value, change.reason) == (
        Decimal(85),
        Decimal(80),
        "Lowered at mid-year review",
    )
    data = _form_data(client.get(url))
    data.update({"targets-0-DELETE": "on", "change_reason": "Target withdrawn"})
    assert client.post(url, data).status_code == 302
    removed = TargetChange.objects.order_by("-id").first()
    assert (removed.old_value, removed.new_value, removed.reason) == (Decimal(80), None, "Target withdrawn")
    assert not Target.objects.filter(indicator=pdr).exists()
    bad = _form_data(client.get(url))
    bad.update(
        {
            "targets-TOTAL_FORMS": "1",
            "targets-0-period": periods[FY_2015].id,
            "targets-0-value": "150",
            "change_reason": "x",
        }
    )
    assert client.post(url, bad).status_code == 200  # a percentage target above 100 is refused
    assert not Target.objects.filter(indicator=pdr).exists()


def test_bulk_loaded_indicator_first_change_still_reads_old_to_new(build_council, users):
    indicator = Indicator.objects.get(id=build_council(1, months=2)[0].id)
    assert not History.objects.filter(id=indicator.id).exists()  # bulk_create writes no history
    indicator.tolerance_kind = "absolute"
    indicator._history_user = users["hub"]
    indicator._change_reason = "Absolute tolerance agreed"
    indicator.save()
    rows = list(History.objects.filter(id=indicator.id).order_by("history_date", "history_id"))
    assert [r.history_change_reason for r in rows] == [HISTORY_BASELINE_REASON, "Absolute tolerance agreed"]
    entries = result_history(users["auditor"], kind="setting")
    assert len(entries) == 1  # the baseline row is not a change
    assert [(d.label, d.old, d.new) for d in entries[0].details] == [
        ("Tolerance kind", "Percentage of target", "Absolute amount")
    ]


def test_command_line_import_records_who_and_why(tmp_path, org, users, periods):
    path = tmp_path / "new-indicators.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [["Reference ID", "Indicator", "Polarity", "Dec 2015"], ["NEW01", "New measure", "Up is Good", 5]]
        )
    )
    call_command("import_workbook", str(path), stdout=io.StringIO())
    created = Indicator.objects.get(reference="NEW01")
    row = History.objects.get(id=created.id)
    assert (row.history_type, row.history_user, row.history_change_reason) == (
        "+",
        None,
        "Created by the import of new-indicators.xlsx",
    )
    entry = [e for e in result_history(users["auditor"]) if e.kind == "setting"]
    assert entry[0].changed_by == "the command line" and entry[0].action_label == "Indicator added"


def test_target_import_and_the_targets_page_record_their_reason(client, users, pdr):
    from indicators.data_entry.services.imports import import_apply, import_preview

    batch = import_preview(
        user=users["hub"],
        filename="targets.xlsx",
        data=xlsx_bytes([["Reference ID", "2016/17"], ["STF90", 88]]),
        targets=True,
    )
    import_apply(user=users["hub"], batch=batch)
    assert TargetChange.objects.get().reason == "Imported from targets.xlsx"
    client.force_login(users["hub"])
    client.post("/targets/STF90/", {"period": "2016/17", "value": "89", "reason": "Stretch agreed"})
    assert TargetChange.objects.order_by("-id").first().reason == "Stretch agreed"


def test_audit_readers_only(client, users, pdr):
    for role in ("officer", "head", "director", "councillor"):
        client.force_login(users[role])
        assert _audit(client, kind="setting").status_code == 403


def test_a_save_after_a_refresh_records_nothing_and_a_deletion_stays_on_the_trail(users, org):
    indicator = Indicator.objects.create(
        reference="DEL01",
        title="To go",
        category="performance",
        polarity="up_is_good",
        frequency="monthly",
        service=org["hr"],
    )
    Indicator.objects.filter(pk=indicator.pk).update(title="Renamed elsewhere")
    indicator.refresh_from_db()
    indicator.save()
    assert History.objects.filter(id=indicator.id).count() == 1
    indicator._change_reason = "Added by mistake"
    indicator.delete()
    kinds = [e.action for e in result_history(users["auditor"], kind="setting")]
    assert kinds == ["setting_deleted", "setting_added"]
    assert result_history(users["head"], kind="setting") == []  # out of a head's scope once gone


def test_adding_an_indicator_in_the_admin_records_who_and_why(client, hub, org):
    client.force_login(hub)
    data = _form_data(client.get("/admin/indicators/indicator/add/"))
    data.update(
        reference="ADD01",
        title="Added in the admin",
        category="performance",
        polarity="up_is_bad",
        frequency="quarterly",
        service=org["hr"].id,
    )
    assert client.post("/admin/indicators/indicator/add/", data).status_code == 200  # no reason
    assert not Indicator.objects.filter(reference="ADD01").exists()
    data["change_reason"] = "New statutory return"
    assert client.post("/admin/indicators/indicator/add/", data).status_code == 302
    row = History.objects.get(reference="ADD01")
    assert (row.history_type, row.history_user, row.history_change_reason) == (
        "+",
        hub,
        "New statutory return",
    )
