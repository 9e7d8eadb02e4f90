"""Shared fixtures: a small council built in bulk, and users for every role."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from indicators.models import Indicator, Result, Target
from indicators.periods import period_starts_between
from indicators.services.assessments import recompute_assessments
from indicators.services.periods import ensure_periods
from organisation.models import Board, CouncilPlan, Directorate, Portfolio, Profile, Role, Service, Theme


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Under pytest DEBUG is off, which would select the manifest storage that needs collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def org(db):
    plan = CouncilPlan.objects.create(name="Council Plan 2015-2019", start_year=2015, end_year=2019)
    theme = Theme.objects.create(
        council_plan=plan, name="A Council that Listens to Residents", slug="listens"
    )
    oce = Directorate.objects.create(name="Office of the Chief Executive", slug="oce", code="OCE")
    place = Directorate.objects.create(name="Economy and Place", slug="place", code="EAP")
    return {
        "plan": plan,
        "theme": theme,
        "oce": oce,
        "place": place,
        "hr": Service.objects.create(directorate=oce, name="Human Resources", slug="hr"),
        "waste": Service.objects.create(directorate=place, name="Waste Services", slug="waste"),
        "portfolio": Portfolio.objects.create(name="Finance and Performance", slug="finance-performance"),
        "board": Board.objects.create(name="Health and Wellbeing Board", slug="hwb"),
    }


@pytest.fixture
def make_user(db, org):
    def make(role: str, username: str | None = None, **scope):
        user = get_user_model().objects.create_user(
            username or role, password="kpi-demo", first_name=role.title()
        )
        Profile.objects.create(user=user, role=role, **scope)
        return user

    return make


@pytest.fixture
def users(make_user, org):
    return {
        "officer": make_user(Role.OFFICER, directorate=org["oce"], service=org["hr"]),
        "head": make_user(Role.HEAD, directorate=org["oce"], service=org["hr"]),
        "director": make_user(Role.DIRECTOR, directorate=org["oce"]),
        "cmt": make_user(Role.CMT),
        "hub": make_user(Role.HUB),
        "councillor": make_user(Role.COUNCILLOR, portfolio=org["portfolio"]),
        "scrutiny": make_user(Role.SCRUTINY, board=org["board"]),
        "auditor": make_user(Role.AUDITOR),
    }


@pytest.fixture
def build_council(org):
    """Bulk-build `count` monthly indicators with `months` approved results each, then assess them.

    Indicators alternate between HR (OCE) and Waste (Economy and Place); every third is published.
    """

    def build(count: int, months: int = 12, prefix: str = "GEN") -> list[Indicator]:
        indicators = Indicator.objects.bulk_create(
            Indicator(
                reference=f"{prefix}{i:03d}",
                title=f"Generated indicator {i} {'sickness' if i % 2 else 'missed bins'}",
                category=["performance", "customer", "workforce", "finance"][i % 4],
                unit="percentage",
                decimal_places=1,
                polarity=["up_is_good", "up_is_bad", "neutral"][i % 3],
                frequency="monthly",
                measure_type="period",
                service=org["hr"] if i % 2 else org["waste"],
                published=i % 3 == 0,
            )
            for i in range(count)
        )
        first = datetime.date(2015, 4, 1)
        starts = period_starts_between("month", first, _add_months(first, months - 1))
        periods = ensure_periods([("month", s) for s in starts])
        year = ensure_periods([("year", datetime.date(2015, 4, 1))])[("year", datetime.date(2015, 4, 1))]
        Result.objects.bulk_create(
            Result(
                indicator=indicator,
                period=periods[("month", start)],
                value=Decimal(50 + (n * 7 + i) % 20),
                status=Result.Status.APPROVED,
            )
            for i, indicator in enumerate(indicators)
            for n, start in enumerate(starts)
        )
        Target.objects.bulk_create(Target(indicator=i, period=year, value=Decimal(60)) for i in indicators)
        recompute_assessments()
        return indicators

    return build


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    # The real hasher takes ~0.3 s a user by design; tests create many users.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
