"""Plans, clinics, remedial plans and published reports: the pages' access rules through the API."""

import pytest

from clinics import services as clinic_services
from reporting.reports.models import Report


def test_plan_with_actions_updates_risks_and_reviews(
    plan_with_actions, plan_people, api_get, token_for, users
):
    head = token_for(plan_people["head"])
    listed = api_get("/api/v1/service-plans", head).json()
    assert [p["id"] for p in listed["items"]] == [plan_with_actions.id]
    plan = api_get(f"/api/v1/service-plans/{plan_with_actions.id}", head).json()
    assert plan["actions"][0]["updates"][0]["commentary"] == "Policy drafted."
    assert plan["risks"][0]["reviews"][0]["note"] == "Training under way."
    # Another service's head, and a scrutiny member, may not read it: as on the plan page.
    assert (
        api_get(f"/api/v1/service-plans/{plan_with_actions.id}", token_for(users["scrutiny"])).status_code
        == 403
    )
    assert api_get("/api/v1/service-plans", token_for(users["scrutiny"])).json()["count"] == 0
    assert api_get("/api/v1/service-plans/999999", head).status_code == 404


def test_attendee_contact_details_for_the_hub_only(scheduled_clinic, api_get, token_for, users):
    path = f"/api/v1/clinics/{scheduled_clinic.id}"
    hub = api_get(path, token_for(users["hub"])).json()
    assert "ann@example.invalid" in {a["email"] for a in hub["attendees"]}
    for role in ("cmt", "director", "head"):
        response = api_get(path, token_for(users[role]))
        assert response.status_code == 200, role
        assert b"@example.invalid" not in response.content, role
        assert {a["email"] for a in response.json()["attendees"]} == {None}
    assert api_get(path, token_for(users["scrutiny"])).status_code in (200, 403)


def test_remedial_plan_with_trajectory(plan_inputs, api_get, token_for, users):
    plan = clinic_services.remedial_plan_create(**plan_inputs)
    body = api_get(f"/api/v1/remedial-plans/{plan.id}", token_for(users["hub"])).json()
    assert len(body["trajectory"]) == 6 and body["trajectory"][0]["period"] == "2016-01"
    assert body["actions"][0]["description"].startswith("Fill the two")
    assert api_get(f"/api/v1/remedial-plans/{plan.id}").status_code == 401
    clinic = api_get(f"/api/v1/clinics/{plan.clinic_id}", token_for(users["hub"])).json()
    assert clinic["remedial_plans"][0]["path"] == f"/api/v1/remedial-plans/{plan.id}"


@pytest.fixture
def internal_only(published_q3, users):
    """A second published version, internal only (not on /public/)."""
    Report.objects.filter(id=published_q3.id).update(is_public=False)
    return published_q3


def test_anonymous_reads_public_versions_only(published_q3, api_get):
    listed = api_get("/api/v1/reports").json()
    assert [r["id"] for r in listed["items"]] == [published_q3.id]
    body = api_get(f"/api/v1/reports/{published_q3.id}").json()
    assert body["audience"] == "public"
    assert body["digest"] == published_q3.public_digest and len(body["digest"]) == 64
    assert body["snapshot"] == published_q3.public_snapshot
    assert body["snapshot"]["report"]["signed_off_by"] == ""


def test_internal_only_version_is_a_404_to_anonymous(internal_only, api_get, token_for, users):
    assert api_get("/api/v1/reports").json()["count"] == 0
    assert api_get(f"/api/v1/reports/{internal_only.id}").status_code == 404
    staff = api_get(f"/api/v1/reports/{internal_only.id}", token_for(users["cmt"])).json()
    assert (staff["audience"], staff["digest"]) == ("internal", internal_only.digest)


def test_exempt_parts_never_in_public_output(executive_q3, users, write_all, api_get, token_for):
    from reporting.reports import services

    report = executive_q3
    write_all(report, users["hub"])
    services.save_narrative(users["hub"], report, "summary", "Names officer Jane Secretname.", exempt=True)
    services.submit_for_review(users["hub"], report)
    services.sign_off(users["director"], report)
    services.publish(users["hub"], report, confirmed=True, is_public=True)
    public = api_get(f"/api/v1/reports/{report.id}")
    assert public.status_code == 200 and b"Secretname" not in public.content
    internal = api_get(f"/api/v1/reports/{report.id}", token_for(users["hub"]))
    assert b"Secretname" in internal.content


def test_drafts_are_never_listed(executive_q3, api_get, token_for, users):
    assert api_get("/api/v1/reports", token_for(users["hub"])).json()["count"] == 0
    assert api_get(f"/api/v1/reports/{executive_q3.id}", token_for(users["hub"])).status_code == 404
