"""Who a user is in the council: the one place role predicates are written.

Every permission check in the portal asks one of these functions (or `indicators.access`, which
narrows indicators by the scope these give) instead of comparing roles itself, so a change of
rule — say, audit may now read the exception lists — is made once. A superuser passes every
check. `None` as the user means the command line, which acts as the hub.
"""

from organisation.models import Role

# CMT, the hub and internal audit read every indicator, draft or approved (DOMAIN.md "Who uses it").
READS_EVERYTHING = frozenset({Role.HUB, Role.CMT, Role.AUDITOR})
# The change history of results and targets is internal audit's and the hub's to read.
AUDIT_READERS = frozenset({Role.AUDITOR, Role.HUB})
# The data-quality standards are read by those who answer for data, and those who check it.
DATA_QUALITY_READERS = frozenset({Role.HUB, Role.AUDITOR, Role.CMT, Role.DIRECTOR, Role.HEAD})
# The monthly and quarterly exception lists go to the hub and CMT.
EXCEPTION_READERS = frozenset({Role.HUB, Role.CMT})
# Data officers and heads import their own indicators' results; the hub imports any.
IMPORTERS = frozenset({Role.OFFICER, Role.HEAD})


def role_of(user) -> str | None:
    if user is None or not user.is_authenticated:
        return None
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


def profile_of(user):
    return getattr(user, "profile", None) if user is not None and user.is_authenticated else None


def is_superuser(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_superuser)


def is_hub(user) -> bool:
    """The Strategic Intelligence Hub (or the command line, or a superuser)."""
    return user is None or is_superuser(user) or role_of(user) == Role.HUB


def keeps_library(user) -> bool:
    """The hub keeps the indicator library and sets targets (DOMAIN.md)."""
    return is_hub(user)


def reads_everything(user) -> bool:
    return is_superuser(user) or role_of(user) in READS_EVERYTHING


def has_role(user, roles) -> bool:
    return is_superuser(user) or role_of(user) in roles


def may_read_audit(user) -> bool:
    return has_role(user, AUDIT_READERS)


def may_read_data_quality(user) -> bool:
    return has_role(user, DATA_QUALITY_READERS)


def may_read_exceptions(user) -> bool:
    return has_role(user, EXCEPTION_READERS)


def may_import(user) -> bool:
    return is_hub(user) or role_of(user) in IMPORTERS


def service_id_of(user) -> int | None:
    profile = profile_of(user)
    return profile.service_id if profile else None


def directorate_id_of(user) -> int | None:
    """A user's directorate: their own, or their service's."""
    profile = profile_of(user)
    if profile is None:
        return None
    if profile.directorate_id:
        return profile.directorate_id
    return profile.service.directorate_id if profile.service_id else None


def heads_service(user, service_id: int | None) -> bool:
    """The user is the head of this service."""
    return service_id is not None and role_of(user) == Role.HEAD and service_id_of(user) == service_id


def may_approve_for_service(user, service_id: int | None) -> bool:
    """The hub approves any result; a head of service the results of their own service."""
    return is_hub(user) or heads_service(user, service_id)


def may_open_approvals(user, *, responsible_for_any: bool) -> bool:
    return is_superuser(user) or role_of(user) in (Role.HEAD, Role.HUB) or responsible_for_any


# --- Scorecards ---------------------------------------------------------------------------------
# Who may open which scorecard. The rows a scorecard shows are still narrowed by
# `indicators.access.visible_indicators`, so a scorecard never reveals an indicator the user
# could not open.
SCORECARD_DIRECTORATE = "directorate"
SCORECARD_COUNCIL_PLAN = "council-plan"
SCORECARD_PORTFOLIO = "portfolio"
SCORECARD_CMT = "cmt"
SCORECARD_BOARD = "board"


def may_see_scorecard(user, kind: str, scope_id: int | None = None) -> bool:
    """Director → own directorate; heads and officers → their directorate's; CMT, hub, audit →
    all; councillor → own portfolio and the Council Plan; scrutiny → own board; anonymous → none.
    """
    if user is None or not user.is_authenticated:
        return False
    if reads_everything(user):
        return True
    role = role_of(user)
    profile = user.profile
    if kind == SCORECARD_DIRECTORATE and role in (Role.DIRECTOR, Role.HEAD, Role.OFFICER):
        return scope_id is not None and scope_id == directorate_id_of(user)
    if role == Role.COUNCILLOR:
        return kind == SCORECARD_COUNCIL_PLAN or (
            kind == SCORECARD_PORTFOLIO and scope_id is not None and scope_id == profile.portfolio_id
        )
    if role == Role.SCRUTINY:
        return kind == SCORECARD_BOARD and scope_id is not None and scope_id == profile.board_id
    return False


# --- Committee reports --------------------------------------------------------------------------
# Report kinds as plain strings (reporting.reports.kinds holds the same values; this module
# imports nothing above organisation).
REPORT_EXECUTIVE = "executive"
REPORT_CMT = "cmt"
REPORT_DMT = "dmt"
REPORT_BOARD = "board"
REPORT_YEAR_END = "year_end"
# Councillors read the Executive's reports once published; directors read (and sign off) drafts.
COUNCILLOR_REPORTS = frozenset({REPORT_EXECUTIVE, REPORT_YEAR_END})
DIRECTOR_REPORTS = frozenset({REPORT_EXECUTIVE, REPORT_CMT, REPORT_YEAR_END, REPORT_BOARD})
NARRATIVE_REVIEWERS = frozenset({Role.HUB, Role.CMT, Role.DIRECTOR})


def may_generate_reports(user) -> bool:
    """The hub generates (and re-generates) committee reports."""
    return is_hub(user)


def may_publish_reports(user) -> bool:
    return is_hub(user)


def may_write_report(user, kind: str, directorate_id: int | None) -> bool:
    """Narrative: the hub on any report; a director on their own directorate's DMT report."""
    if is_hub(user):
        return True
    return (
        role_of(user) == Role.DIRECTOR
        and kind == REPORT_DMT
        and directorate_id is not None
        and directorate_id == directorate_id_of(user)
    )


def may_review_narrative(user, kind: str, directorate_id: int | None) -> bool:
    """The hub, CMT, and directors (on their own directorate's DMT report, or the corporate ones)."""
    if is_hub(user) or role_of(user) == Role.CMT:
        return True
    if role_of(user) != Role.DIRECTOR:
        return False
    return kind in DIRECTOR_REPORTS or directorate_id == directorate_id_of(user)


def may_sign_off_report(user, sign_off_roles) -> bool:
    """`sign_off_roles`: the roles configured for the report's kind (reporting.reports.kinds)."""
    return is_superuser(user) or role_of(user) in sign_off_roles


def may_read_report(
    user, kind: str, directorate_id: int | None, board_id: int | None, *, published: bool
) -> bool:
    """The internal version of a report.

    Hub, CMT, audit: every report, drafts included. Directors: the corporate reports (which they
    sign off) and their own directorate's DMT reports, drafts included. Once published:
    councillors the Executive's reports, scrutiny members their board's, heads of service and
    officers their directorate's DMT reports. Anonymous visitors read only public published
    versions, on /public/ (never through this check).
    """
    if user is None:
        return True
    if not user.is_authenticated:
        return False
    if reads_everything(user):
        return True
    role = role_of(user)
    own_directorate = directorate_id is not None and directorate_id == directorate_id_of(user)
    if role == Role.DIRECTOR:
        return kind in DIRECTOR_REPORTS or (kind == REPORT_DMT and own_directorate)
    if not published:
        return False
    if role == Role.COUNCILLOR:
        return kind in COUNCILLOR_REPORTS
    if role == Role.SCRUTINY:
        return kind == REPORT_BOARD and board_id is not None and board_id == user.profile.board_id
    if role in (Role.HEAD, Role.OFFICER):
        return kind == REPORT_DMT and own_directorate
    return False


def may_open_reports(user) -> bool:
    """Who sees the reports page in the navigation: everyone signed in with a role."""
    return user is not None and user.is_authenticated and (is_superuser(user) or role_of(user) is not None)


# --- Returns to central government --------------------------------------------------------------
RETURNS_READERS = frozenset({Role.HUB, Role.CMT, Role.AUDITOR})


def may_read_collections(user) -> bool:
    return has_role(user, RETURNS_READERS)


def may_update_collections(user) -> bool:
    """The hub prepares, checks and submits the returns."""
    return is_hub(user)
