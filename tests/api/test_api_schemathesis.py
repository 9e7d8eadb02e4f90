"""schemathesis against the OpenAPI document, in-process through the WSGI app: for every
operation, a bounded number of generated requests, as anonymous and with a hub token that may
write. No answer is a 5xx, and every answer matches the document."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from api.models import ApiToken
from kpi_machine.wsgi import application

EXAMPLES = 12  # per operation and caller: the whole run stays about a minute on the CI machine
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("caller", ["anonymous", "hub"])
def test_every_operation_answers_as_documented(caller, build_council, users, token_for, generous_limits):
    build_council(6, months=3)
    # identity: the in-process WSGI client does not undo the portal's gzip of large answers.
    headers = {"Accept-Encoding": "identity"}
    if caller == "hub":
        headers["Authorization"] = f"Bearer {token_for(users['hub'], ApiToken.Scope.WRITE)}"
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy(headers=headers))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate(checks=CHECKS)

        run()
