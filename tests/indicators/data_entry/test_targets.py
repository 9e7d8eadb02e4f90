from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators.data_entry.services.imports import import_apply, import_preview
from indicators.data_entry.services.targets import target_set
from indicators.models import Target, TargetChange
from tests.indicators.data_entry.conftest import xlsx_bytes


@pytest.mark.django_db
def test_hub_sets_a_target_with_history(pdr, periods, users):
    year = next(p for p in periods.values() if p.kind == "year")
    assert target_set(
        user=users["hub"], indicator=pdr, period=year, value=Decimal(90), reason="Raised for 2015/16"
    )
    assert not target_set(user=users["hub"], indicator=pdr, period=year, value=Decimal(90))
    change = TargetChange.objects.get()
    assert (change.old_value, change.new_value, change.reason) == (
        Decimal(85),
        Decimal(90),
        "Raised for 2015/16",
    )
    with pytest.raises(PermissionDenied):
        target_set(user=users["head"], indicator=pdr, period=year, value=Decimal(80))


@pytest.mark.django_db
def test_target_form_page(client, pdr, users):
    client.force_login(users["hub"])
    assert client.get("/targets/STF90/").status_code == 200
    bad = client.post("/targets/STF90/", {"period": "2015-16", "value": "abc"})
    assert bad.status_code == 400 and "govuk-error-summary" in bad.content.decode()
    assert client.post("/targets/STF90/", {"period": "Q3 2015/16", "value": "101"}).status_code == 400
    no_reason = client.post("/targets/STF90/", {"period": "Q3 2015/16", "value": "88"})
    assert no_reason.status_code == 400 and "Enter the reason for the change" in no_reason.content.decode()
    assert not Target.objects.filter(period__label="Q3 2015/16").exists()
    saved = client.post("/targets/STF90/", {"period": "Q3 2015/16", "value": "88", "reason": "Profiled"})
    assert saved.status_code == 302
    assert Target.objects.get(period__label="Q3 2015/16").value == Decimal(88)
    history = client.get("/indicators/STF90/").content.decode()
    assert "Target set" in history
    for role in ("officer", "head", "auditor"):
        client.force_login(users[role])
        assert client.get("/targets/STF90/").status_code == 403
        assert client.get("/targets/").status_code == 403


@pytest.mark.django_db
def test_targets_by_workbook(client, pdr, users):
    data = xlsx_bytes([["Reference ID", "2016/17", "Q1 2016/17"], ["STF90", "90%", 86], ["NOPE1", 1, 2]])
    batch = import_preview(user=users["hub"], filename="t.xlsx", data=data, targets=True)
    assert len(batch.plan["writes"]) == 2 and batch.plan["rejected"][0]["value"] == "NOPE1"
    import_apply(user=users["hub"], batch=batch)
    assert Target.objects.filter(indicator=pdr).count() == 3
    again = import_preview(user=users["hub"], filename="t.xlsx", data=data, targets=True)
    assert again.plan["writes"] == []
    with pytest.raises(PermissionDenied):
        import_preview(user=users["officer"], filename="t.xlsx", data=data, targets=True)
    client.force_login(users["hub"])
    response = client.post("/targets/import/", {"file": SimpleUploadedFile("t.xlsx", data)})
    assert response.status_code == 302
