"""The API's response shapes: the OpenAPI document is generated from these."""

import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    errors: dict[str, list[str]] | None = None


class Page(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None


class IndicatorOut(Schema):
    reference: str
    title: str
    definition: str
    data_source: str
    category: str
    unit: str
    decimal_places: int
    polarity: str
    frequency: str
    measure_type: str
    directorate: str
    service: str
    portfolio: str | None
    themes: list[str]
    boards: list[str]
    statutory: bool
    published: bool
    is_active: bool


class IndicatorPage(Page):
    items: list[IndicatorOut]


class PeriodOut(Schema):
    key: str
    label: str
    kind: str
    start: datetime.date
    end: datetime.date


class ResultOut(Schema):
    indicator: str
    period: PeriodOut
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    status: str
    commentary: str
    is_provisional: bool
    is_proxy: bool
    version: int


class ResultPage(Page):
    items: list[ResultOut]


class AssessmentOut(Schema):
    indicator: str
    period: PeriodOut
    value: Decimal
    target: Decimal | None
    rag: str
    rag_label: str
    direction: str
    direction_label: str
    comparator_period: str | None
    comparator_value: Decimal | None
    variation: str
    assurance: str
    forecast_value: Decimal | None
    forecast_rag: str
    is_latest: bool


class AssessmentPage(Page):
    items: list[AssessmentOut]


class TargetOut(Schema):
    indicator: str
    period: PeriodOut
    value: Decimal


class TargetPage(Page):
    items: list[TargetOut]


class OpenDataRow(Schema):
    """York's open-data long format: one row per published indicator and assessed period."""

    Id: str
    Indicator: str
    Period: str
    Polarity: str
    Total: Decimal | None
    Target: Decimal | None
    RAG: str
    Direction_of_travel: str = Field(alias="Direction of travel")
    Unit: str


class OpenDataPage(Page):
    items: list[OpenDataRow]
