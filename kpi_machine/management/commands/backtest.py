"""`manage.py backtest`: how well each forecast method would have predicted the demo council's past years.

For every monthly indicator of the demo council (`fixtures.demo.build_demo`, pure: no database
needed) and every complete past financial year, forecast the year-end outturn from the year's own
first 3, 6 and 9 months (and everything before), with each candidate method, and compare with the
actual outturn (the sum of the months for additive measures, the March value otherwise). Prints the
mean absolute percentage error (MAPE) per method and indicator type, and the best method per type,
which is what `indicators.analytics.bulk.DEFAULT_FORECAST_METHODS` should hold.

Holt-Winters needs 36 months before the forecast point; the demo's history (April 2012 onwards)
never reaches that for a complete year, so it is reported as not testable rather than guessed.
"""

import statistics
from collections import defaultdict

from django.core.management.base import BaseCommand

from indicators.analytics import constants as c
from indicators.analytics.bulk import (
    CANDIDATE_METHODS,
    DEFAULT_FORECAST_METHODS,
    FORECAST_TYPE_LABELS,
    forecast_type,
    is_additive,
    monthly_inputs,
)
from indicators.analytics.forecast import forecast_year_end

CUTOFFS = (3, 6, 9)


def backtest(demo=None) -> dict:
    """{type: {method: [absolute percentage errors]}} over the demo's complete past years."""
    from fixtures.demo import CURRENT_FY, build_demo

    demo = demo or build_demo()
    specs = {i.reference: i for i in demo.indicators if i.frequency == "monthly"}
    series: dict[str, dict] = defaultdict(dict)
    for r in demo.results:
        if r.reference in specs and r.kind == c.MONTH and r.status == "approved":
            series[r.reference][r.start] = float(r.value)
    errors: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for reference, months in series.items():
        spec = specs[reference]
        accumulates = getattr(spec, "ytd_accumulates", None)
        additive = is_additive(spec.measure_type, spec.unit, accumulates)
        kind = forecast_type(spec.measure_type, spec.unit, accumulates)
        for fy in sorted({d.year if d.month >= 4 else d.year - 1 for d in months}):
            if fy >= CURRENT_FY:
                continue
            full, _, _ = monthly_inputs(months, fy)
            if any(v is None for v in full):
                continue  # an incomplete year has no outturn to score against
            if additive and spec.measure_type != c.MEASURE_YTD:
                actual = sum(full)
            else:
                actual = full[-1]
            if actual == 0:
                continue
            for cutoff in CUTOFFS:
                so_far, last_year, history = monthly_inputs(months, fy)
                so_far = so_far[:cutoff]
                for method in CANDIDATE_METHODS[kind]:
                    try:
                        result = forecast_year_end(
                            so_far, spec.measure_type, additive, last_year, history, method=method
                        )
                    except ValueError:
                        continue  # the method's data requirements are not met
                    if result is not None:
                        errors[kind][method].append(abs(result.value - actual) / abs(actual) * 100)
    return errors


class Command(BaseCommand):
    help = "Backtest the forecast methods on the demo council's past years (MAPE per method and type)."

    def handle(self, *args, **options):
        errors = backtest()
        self.stdout.write("| indicator type | method | forecasts | MAPE % |")
        self.stdout.write("| --- | --- | ---: | ---: |")
        best = {}
        for kind, label in FORECAST_TYPE_LABELS.items():
            scores = {}
            for method in CANDIDATE_METHODS[kind]:
                values = errors.get(kind, {}).get(method, [])
                name = c.FORECAST_METHOD_LABELS[method]
                if not values:
                    self.stdout.write(f"| {label} | {name} | 0 | not testable on the demo |")
                    continue
                scores[method] = statistics.fmean(values)
                self.stdout.write(f"| {label} | {name} | {len(values)} | {scores[method]:.2f} |")
            if scores:
                best[kind] = min(scores, key=scores.get)
        self.stdout.write("")
        for kind, method in best.items():
            current = DEFAULT_FORECAST_METHODS.get(kind)
            verdict = "matches the default" if current == method else f"differs from the default ({current})"
            self.stdout.write(f"Best for {FORECAST_TYPE_LABELS[kind]}: {method} — {verdict}")
