"""Posting a result: an officer's system sending its monthly returns.

The same path as the return form: the form's own field cleaning (`ResultEntryForm`: numbers,
digit bounds, lengths), then `result_save_draft` / `result_submit` (entry rights, period kind and
not after the reporting date, validation by unit, red needs commentary, the version check,
history, and the recompute on commit). Needs a token with write scope.
"""

from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from ninja import Schema

from api.common import caller, indicator_for, signed_in_user
from api.problems import problem_response
from api.routes.indicators import _result_row, router
from api.schemas import Problem, ResultOut
from indicators.data_entry.forms import ResultEntryForm
from indicators.data_entry.services.results import ResultConflict, result_save_draft, result_submit
from indicators.models import Indicator
from indicators.periods import parse_period_key
from indicators.services.periods import ensure_periods

# The same router as the reads: one URL pattern serves GET and POST of .../results.


class ResultIn(Schema):
    period: str
    value: Decimal | str
    numerator: Decimal | str | None = None
    denominator: Decimal | str | None = None
    commentary: str = ""
    is_provisional: bool = False
    is_proxy: bool = False
    confirm_unusual: bool = False
    action: Literal["draft", "submit"] = "submit"
    version: int = 0
    key: str = ""


def _form_data(body: ResultIn) -> dict:
    data = {
        "value": str(body.value),
        "commentary": body.commentary,
        "version": str(body.version),
        "key": body.key,
    }
    for name in ("numerator", "denominator"):
        if getattr(body, name) is not None:
            data[name] = str(getattr(body, name))
    for name in ("is_provisional", "is_proxy", "confirm_unusual"):
        if getattr(body, name):
            data[name] = "on"
    return data


@router.post(
    "/indicators/{reference}/results",
    response={
        200: ResultOut,
        201: ResultOut,
        401: Problem,
        403: Problem,
        404: Problem,
        409: Problem,
        422: Problem,
        429: Problem,
    },
    summary="Post a result",
    tags=["Posting results"],
)
def post_result(request, reference: str, body: ResultIn):
    """Save (`action=draft`) or submit a result for a period key. `version` is the result's version
    you last read (0 for a new one): a result changed since is a 409 with the current version."""
    user = signed_in_user(request)
    if not caller(request).may_write:
        raise PermissionDenied("This token may only read: create a token with write scope to post results.")
    indicator = indicator_for(request, reference)
    parsed = parse_period_key(body.period)
    if parsed is None:
        return problem_response(
            422,
            "The result is not valid.",
            {"period": ["Use a period key: 2015-12, fy2015-16-q3 or fy2015-16"]},
        )
    form = ResultEntryForm(
        _form_data(body), uses_fraction=indicator.unit in (Indicator.Unit.PERCENTAGE, Indicator.Unit.RATIO)
    )
    if not form.is_valid():
        return problem_response(422, "The result is not valid.", form.errors)
    service = result_submit if body.action == "submit" else result_save_draft
    try:
        with transaction.atomic():
            period = ensure_periods([parsed])[parsed]
            existed = period.results.filter(indicator=indicator).exists()
            outcome = service(user=user, indicator=indicator, period=period, **form.service_fields())
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"request": error.messages}
        return problem_response(422, "The result is not valid.", errors)
    except ResultConflict as conflict:
        return problem_response(409, str(conflict), current_version=conflict.current.version)
    result = outcome.result
    result.period = period
    return (200 if existed else 201), _result_row(indicator.reference)(result)
