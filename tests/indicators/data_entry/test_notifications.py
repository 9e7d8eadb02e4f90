"""Emails about results moving through approval (issue 10, item 15): returned (with the reason),
approved, waiting for approval (at once or in a daily digest, the approver's choice), sent by a
Celery task queued on commit, never failing the save."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction

from indicators.data_entry.services import notifications
from indicators.data_entry.services.notifications import approval_digests_send, needs_notice
from indicators.data_entry.services.results import result_approve, result_return, result_submit
from indicators.data_entry.tasks import send_approval_digests
from organisation.models import ApprovalNotice, Profile, Role

DEC_2015 = ("month", datetime.date(2015, 12, 1))
NOV_2015 = ("month", datetime.date(2015, 11, 1))
SENTENCE = "Sickness in the team delayed the reviews this month."

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailable(users):
    for name in ("officer", "head"):
        users[name].email = f"{name}@example.invalid"
        users[name].save()
    return users


def _submit(users, pdr, periods, key=DEC_2015, value=90):
    return result_submit(
        user=users["officer"],
        indicator=pdr,
        period=periods[key],
        value=Decimal(value),
        commentary=SENTENCE,
        expected_version=0,
    ).result


def test_which_changes_are_mailed():
    assert needs_notice("return", "submitted", "returned")
    assert needs_notice("approve", "submitted", "approved")
    assert needs_notice("submit", "draft", "submitted")
    assert needs_notice("import", "", "submitted")
    assert not needs_notice("edit", "draft", "draft")
    assert not needs_notice("submit", "submitted", "submitted")  # a resubmitted edit: already waiting


def test_submitting_mails_the_approver_who_chose_immediately(
    mailable, pdr, periods, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _submit(mailable, pdr, periods)
    [message] = mail.outbox
    assert message.to == ["head@example.invalid"]  # the responsible officer and head; not the submitter
    assert message.subject == "KPI Machine: STF90 Dec 2015 waits for your approval"
    assert "/approvals/" in message.body and "Officer has submitted" in message.body


def test_returning_mails_the_officer_with_the_reason(
    mailable, pdr, periods, django_capture_on_commit_callbacks
):
    result = _submit(mailable, pdr, periods)
    with django_capture_on_commit_callbacks(execute=True):
        result_return(
            user=mailable["head"],
            result=result,
            reason="The figure excludes agency staff.",
            expected_version=result.version,
        )
    [message] = mail.outbox
    assert message.to == ["officer@example.invalid"]
    assert message.subject == "KPI Machine: STF90 Dec 2015 returned for changes"
    assert "Reason: The figure excludes agency staff." in message.body
    assert "/returns/STF90/2015-12/" in message.body


def test_approving_mails_the_officer(mailable, pdr, periods, django_capture_on_commit_callbacks):
    result = _submit(mailable, pdr, periods)
    with django_capture_on_commit_callbacks(execute=True):
        result_approve(user=mailable["head"], result=result, expected_version=result.version)
    [message] = mail.outbox
    assert message.to == ["officer@example.invalid"]
    assert message.subject == "KPI Machine: STF90 Dec 2015 approved"
    assert "Head has approved" in message.body


def test_no_email_to_a_user_without_an_address(users, pdr, periods, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = _submit(users, pdr, periods)
    with django_capture_on_commit_callbacks(execute=True):
        result_approve(user=users["head"], result=result, expected_version=result.version)
    assert mail.outbox == []


def test_nobody_is_mailed_about_their_own_action(mailable, pdr, periods, django_capture_on_commit_callbacks):
    # The head enters and approves a result themselves (the demo's indicators without an officer).
    with django_capture_on_commit_callbacks(execute=True):
        result = result_submit(
            user=mailable["head"],
            indicator=pdr,
            period=periods[DEC_2015],
            value=Decimal(90),
            expected_version=0,
        ).result
        result_approve(user=mailable["head"], result=result, expected_version=result.version)
    assert mail.outbox == []


def test_a_rolled_back_save_sends_nothing(mailable, pdr, periods, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                _submit(mailable, pdr, periods)
                raise RuntimeError("something later in the request failed")
        except RuntimeError:
            pass
    assert callbacks == [] and mail.outbox == []


def test_the_mail_is_queued_only_on_commit(mailable, pdr, periods, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _submit(mailable, pdr, periods)
    assert mail.outbox == []  # not sent inside the transaction
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


def test_a_broker_outage_never_fails_the_save(
    mailable, pdr, periods, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    from indicators.data_entry.tasks import send_result_notices

    def down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(send_result_notices, "apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        result = _submit(mailable, pdr, periods)
    assert result.pk and result.status == "submitted"
    assert mail.outbox == [] and "not queued (ConnectionRefusedError)" in caplog.text


def test_daily_digest_collects_what_waits_and_sends_once_a_day(
    mailable, pdr, periods, django_capture_on_commit_callbacks
):
    Profile.objects.filter(user=mailable["head"]).update(approval_notice=ApprovalNotice.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        _submit(mailable, pdr, periods, DEC_2015)
        _submit(mailable, pdr, periods, NOV_2015, value=80)
    assert mail.outbox == []  # the digest approver gets no mail per result
    day = datetime.date(2016, 1, 20)
    run = approval_digests_send(today=day)
    assert run.sent == 1
    [message] = mail.outbox
    assert message.to == ["head@example.invalid"]
    assert message.subject == "KPI Machine: 2 results waiting for your approval"
    assert "- STF90 PDR Completion (%) - OCE, Dec 2015" in message.body
    assert "- STF90 PDR Completion (%) - OCE, Nov 2015" in message.body
    assert approval_digests_send(today=day).already_sent == 1
    assert approval_digests_send(today=day + datetime.timedelta(days=1)).sent == 1  # the next day
    send_approval_digests.delay()  # the beat task, eager here, on the real today
    send_approval_digests.delay()
    assert len(mail.outbox) == 3


def test_digest_skips_users_without_an_address_and_immediate_approvers(
    users, make_user, org, pdr, periods, django_capture_on_commit_callbacks
):
    Profile.objects.filter(user=users["head"]).update(approval_notice=ApprovalNotice.DAILY)
    other_head = make_user(Role.HEAD, "head2", directorate=org["oce"], service=org["hr"])
    other_head.email = "head2@example.invalid"
    other_head.save()  # immediate (the default): not in the digest
    _submit(users, pdr, periods)
    run = approval_digests_send(today=datetime.date(2016, 1, 20))
    assert (run.sent, run.no_email) == (0, 1) and mail.outbox == []


def test_beat_schedule_runs_the_digest_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-approval-digests-daily"]
    assert entry["task"] == "indicators.data_entry.tasks.send_approval_digests"
    assert entry["schedule"] == 24 * 60 * 60


def test_approvers_are_the_responsible_officer_and_heads_of_service_not_the_hub(users, pdr):
    assert notifications.approvers_of([pdr]) == {pdr.id: {users["head"].id}}


# --- The preference page ---------------------------------------------------------------------


def test_preference_page_shows_and_saves_the_choice(client, users):
    client.force_login(users["head"])
    page = client.get("/accounts/notifications/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="immediate" checked' in html and "has no email address" in html
    response = client.post("/accounts/notifications/", {"approval_notice": "daily"})
    assert response.status_code == 302
    assert Profile.objects.get(user=users["head"]).approval_notice == "daily"


@pytest.mark.parametrize("data", [{}, {"approval_notice": "hourly"}, {"approval_notice": "<script>"}])
def test_preference_bad_input_is_a_message_by_the_field(client, users, data):
    client.force_login(users["head"])
    response = client.post("/accounts/notifications/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and 'href="#id_approval_notice"' in html
    assert "Choose whether to get an email for each result or one email a day" in html
    assert Profile.objects.get(user=users["head"]).approval_notice == "immediate"


def test_preference_page_needs_sign_in(client):
    response = client.get("/accounts/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.post("/accounts/notifications/", {"approval_notice": "daily"})
    assert not Profile.objects.filter(approval_notice="daily").exists()


def test_account_without_a_role_is_told_so(client, db):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("norole", password="x")
    client.force_login(user)
    assert "has no role yet" in client.get("/accounts/notifications/").content.decode()
    response = client.post("/accounts/notifications/", {"approval_notice": "daily"})
    assert response.status_code == 400


@pytest.mark.parametrize("method", ["put", "delete"])
def test_preference_page_refuses_other_methods(client, users, method):
    client.force_login(users["head"])
    assert getattr(client, method)("/accounts/notifications/").status_code == 405


# --- One email per person for a selection or a grid --------------------------------------------


def _approve_selection(client, users, pdr, periods, capture, *, stale: bool = False):
    """The head approves Dec and Nov 2015 together (Nov's version stale when `stale`)."""
    dec = _submit(users, pdr, periods, DEC_2015)
    nov = _submit(users, pdr, periods, NOV_2015, value=80)
    client.force_login(users["head"])
    selected = [f"{dec.pk}:{dec.version}", f"{nov.pk}:{nov.version + (3 if stale else 0)}"]
    with capture(execute=True):
        return client.post("/approvals/approve-selected/", {"selected": selected})


def test_approving_a_selection_sends_the_officer_one_email(
    client, mailable, pdr, periods, django_capture_on_commit_callbacks
):
    response = _approve_selection(client, mailable, pdr, periods, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["officer@example.invalid"]
    assert message.subject == "KPI Machine: 2 results: 2 approved"
    assert "- STF90 PDR Completion (%) - OCE, Dec 2015" in message.body
    assert "- STF90 PDR Completion (%) - OCE, Nov 2015" in message.body


def test_a_refused_selection_sends_nothing(
    client, mailable, pdr, periods, django_capture_on_commit_callbacks
):
    response = _approve_selection(
        client, mailable, pdr, periods, django_capture_on_commit_callbacks, stale=True
    )
    assert response.status_code == 400 and mail.outbox == []


def test_the_bulk_grid_sends_the_approver_one_email(
    client, mailable, pdr, org, periods, django_capture_on_commit_callbacks
):
    from indicators.models import Indicator
    from organisation.models import ReportingCalendar

    ReportingCalendar.objects.create(id=1, as_of=datetime.date(2016, 1, 25))
    second = Indicator.objects.create(
        reference="STF01",
        title="Staff Headcount - OCE",
        category="workforce",
        unit="count",
        polarity="neutral",
        frequency="monthly",
        service=org["hr"],
        responsible_officer=mailable["head"],
    )
    second.data_entry_officers.add(mailable["officer"])
    client.force_login(mailable["officer"])
    data = {"period": "2015-12", "action": "submit"}
    for ref, value in (("STF90", "90"), ("STF01", "57")):
        data.update({f"r-{ref}-version": "0", f"r-{ref}-key": f"k-{ref}", f"r-{ref}-value": value})
        data[f"r-{ref}-commentary"] = SENTENCE
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/returns/bulk/?period=2015-12", data)
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["head@example.invalid"]
    assert message.subject == "KPI Machine: 2 results: 2 waiting for your approval"
    assert "STF90" in message.body and "STF01" in message.body and "submitted by Officer" in message.body


def test_mixed_notices_for_one_officer_list_the_reasons(
    mailable, pdr, periods, django_capture_on_commit_callbacks
):
    from indicators.data_entry.services.notifications import notices_collected

    dec = _submit(mailable, pdr, periods, DEC_2015)
    nov = _submit(mailable, pdr, periods, NOV_2015, value=80)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic(), notices_collected():
        result_approve(user=mailable["head"], result=dec, expected_version=dec.version)
        result_return(
            user=mailable["head"],
            result=nov,
            reason="November looks low: check it.",
            expected_version=nov.version,
        )
    [message] = mail.outbox
    assert message.subject == "KPI Machine: 2 results: 1 returned for changes, 1 approved"
    assert "Nov 2015: November looks low: check it. (/returns/STF90/2015-11/)" in message.body


@pytest.mark.parametrize("waiting", [1, 2])
def test_preference_page_runs_a_fixed_number_of_queries(
    client, users, pdr, periods, waiting, django_assert_num_queries
):
    for key in [DEC_2015, NOV_2015][:waiting]:
        _submit(users, pdr, periods, key)
    client.force_login(users["head"])
    client.get("/accounts/notifications/")
    with django_assert_num_queries(3):  # session, user, profile
        client.get("/accounts/notifications/")


def test_the_task_survives_a_deleted_result(mailable, pdr, periods):
    from indicators.data_entry.tasks import send_result_notices
    from indicators.models import ResultChange

    result = _submit(mailable, pdr, periods)
    change_ids = list(ResultChange.objects.filter(result=result).values_list("pk", flat=True))
    result.delete()
    assert send_result_notices.delay(change_ids + [999_999]).get() == 0
    assert mail.outbox == []
