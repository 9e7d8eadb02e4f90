"""Indicator library, periods, results, targets and stored assessments.

Tables, constraints and small properties only: calculations live in `indicators.analytics`
(pure functions) and writes in the services. One module per area; every model is importable
from `indicators.models`, the path other apps use.
"""

from indicators.models.assessments import Assessment, IndicatorSummary, RecomputeMark
from indicators.models.benchmarks import ComparatorGroup, ComparatorOrganisation, ComparatorValue
from indicators.models.data_entry import ImportBatch, ReminderLog, SubmissionReceipt
from indicators.models.library import Annotation, Indicator, Period, RebaseDecision
from indicators.models.results import Result, ResultChange, Target, TargetChange, TargetKind

__all__ = [
    "Period",
    "Indicator",
    "Annotation",
    "RebaseDecision",
    "Result",
    "ResultChange",
    "Target",
    "TargetChange",
    "TargetKind",
    "Assessment",
    "RecomputeMark",
    "IndicatorSummary",
    "ComparatorOrganisation",
    "ComparatorGroup",
    "ComparatorValue",
    "SubmissionReceipt",
    "ReminderLog",
    "ImportBatch",
]
