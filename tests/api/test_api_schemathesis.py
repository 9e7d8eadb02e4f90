"""schemathesis against the OpenAPI document, in-process through the WSGI app: for every
operation, a bounded number of generated requests, as anonymous and with a hub token that may
write. No answer is a 5xx, and every answer matches the document."""

import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from api.models import ApiToken
from kpi_machine.wsgi import application


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI app is called directly, not through Django's test client, which is what stops each
    request's end from closing the database connection; on PostgreSQL that would close the
    test's own transaction. Do as the test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


EXAMPLES = 12  # per operation and caller: the whole run stays about a minute on the CI machine
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("caller", ["anonymous", "hub", "hub, real identifiers"])
def test_every_operation_answers_as_documented(
    caller, build_council, users, token_for, generous_limits, plan_with_actions, scheduled_clinic
):
    build_council(6, months=3)
    # The third run fixes the path to real rows, so the detail answers (not only their 404s) are
    # generated against and checked with the document.
    real = {
        "reference": "GEN001",
        "plan_id": plan_with_actions.id,
        "clinic_id": scheduled_clinic.id,
        "kind": "directorate",
        "slug": "oce",
    }
    # identity: the in-process WSGI client does not undo the portal's gzip of large answers.
    headers = {"Accept-Encoding": "identity"}
    if caller.startswith("hub"):
        headers["Authorization"] = f"Bearer {token_for(users['hub'], ApiToken.Scope.WRITE)}"
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        names = re.findall(r"{(\w+)}", operation.path)
        fixed = {name: real[name] for name in names if name in real} if "real" in caller else None
        if "real" in caller and len(fixed) != len(names):
            continue

        @given(case=operation.as_strategy(headers=headers, path_parameters=fixed))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate(checks=CHECKS)

        run()
