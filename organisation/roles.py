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


# --- Performance clinics and remedial plans -------------------------------------------------------
# Who may request a clinic (the framework: the lead business stakeholder and the hub, managers,
# Heads of Service, Assistant Directors, CMT, and partnership boards). Executive Members receive
# remedial plans and sign them off; internal audit reads; data officers enter data. None of those
# requests a clinic unless they are the indicator's responsible officer.
CLINIC_READERS = frozenset({Role.HUB, Role.CMT, Role.AUDITOR})


def may_request_clinic(
    user,
    *,
    service_id: int | None,
    directorate_id: int | None,
    board_ids=(),
    responsible_officer_id: int | None = None,
) -> bool:
    """Hub and CMT: any indicator; the indicator's responsible officer; its head of service; the
    director of its directorate; a member of a board that monitors it."""
    if user is None or is_hub(user) or role_of(user) == Role.CMT:
        return True
    if not user.is_authenticated:
        return False
    if responsible_officer_id is not None and responsible_officer_id == user.id:
        return True
    role = role_of(user)
    if role == Role.HEAD:
        return heads_service(user, service_id)
    if role == Role.DIRECTOR:
        return directorate_id is not None and directorate_id_of(user) == directorate_id
    if role == Role.SCRUTINY:
        profile = profile_of(user)
        return profile is not None and profile.board_id is not None and profile.board_id in set(board_ids)
    return False


def may_manage_clinics(user) -> bool:
    """Schedule, record and cancel clinics, decide on suggestions, agree and close remedial plans:
    the hub, which "ensures clinics are generated and tracked"."""
    return is_hub(user)


def may_read_all_clinics(user) -> bool:
    return has_role(user, CLINIC_READERS)


def may_sign_off_remedial_plan(user, stage: str, *, portfolio_id: int | None) -> bool:
    """Stage "member": the Executive Member for the indicator's portfolio; stage "cmt": CMT.
    The hub does not sign off (DOMAIN.md: sign-offs are reserved)."""
    if user is None or not user.is_authenticated:
        return False
    if is_superuser(user):
        return True
    role = role_of(user)
    if stage == "member":
        profile = profile_of(user)
        return (
            role == Role.COUNCILLOR
            and portfolio_id is not None
            and profile is not None
            and profile.portfolio_id == portfolio_id
        )
    if stage == "cmt":
        return role == Role.CMT
    return False


CLINIC_REQUESTERS = frozenset({Role.HUB, Role.CMT, Role.HEAD, Role.DIRECTOR, Role.SCRUTINY})


def may_request_clinics(user, *, responsible_for_any: bool = False) -> bool:
    """Whether to offer the clinic request form at all (each indicator is still checked)."""
    return has_role(user, CLINIC_REQUESTERS) or bool(
        user is not None and user.is_authenticated and responsible_for_any
    )


# --- Service Improvement Plans ---------------------------------------------------------------
# A plan belongs to a service; its scope is (service id, directorate id, portfolio id, buddy id).
# The head of the service (the plan holder's office) and the hub keep it; the director reviews it
# at DMT; the portfolio's Executive Member signs it off; the buddy manager reads it and comments;
# CMT, the hub and audit read every plan. Nobody else reads it.


def keeps_service_plan(user, service_id: int | None) -> bool:
    """Drafts and edits a service's plan: the head of that service, or the hub."""
    return is_hub(user) or heads_service(user, service_id)


def may_set_scorecard_flag(user, service_id: int | None) -> bool:
    """Whether an indicator is on its directorate scorecard (Table 3.3's "Include"): the hub, or
    the head of the indicator's service, who keeps that service's plan."""
    return keeps_service_plan(user, service_id)


def directs_service(user, directorate_id: int | None) -> bool:
    """The director of the directorate (who reviews its plans at DMT)."""
    return (
        directorate_id is not None
        and role_of(user) == Role.DIRECTOR
        and directorate_id_of(user) == directorate_id
    )


def holds_portfolio(user, portfolio_id: int | None) -> bool:
    """The Executive Member whose portfolio this is."""
    profile = profile_of(user)
    return (
        portfolio_id is not None
        and profile is not None
        and profile.role == Role.COUNCILLOR
        and profile.portfolio_id == portfolio_id
    )


def may_review_plan_at_dmt(user, directorate_id: int | None) -> bool:
    return is_superuser(user) or directs_service(user, directorate_id)


def may_sign_off_plan(user, portfolio_id: int | None) -> bool:
    """Sign-off at the member stage is reserved to the portfolio's Executive Member."""
    return is_superuser(user) or holds_portfolio(user, portfolio_id)


def may_read_service_plan(
    user,
    *,
    service_id: int | None,
    directorate_id: int | None,
    portfolio_id: int | None,
    buddy_id: int | None,
) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if reads_everything(user):
        return True
    if buddy_id is not None and user.id == buddy_id:
        return True
    role = role_of(user)
    if role in (Role.HEAD, Role.OFFICER):
        return service_id is not None and service_id_of(user) == service_id
    if role == Role.DIRECTOR:
        return directs_service(user, directorate_id)
    if role == Role.COUNCILLOR:
        return holds_portfolio(user, portfolio_id)
    return False


def may_update_plan_action(user, *, service_id: int | None, accountable_id: int | None) -> bool:
    """Posts a progress update on an action: its accountable officer, or whoever keeps the plan."""
    return keeps_service_plan(user, service_id) or (
        accountable_id is not None
        and user is not None
        and user.is_authenticated
        and user.id == accountable_id
    )


def may_open_plans_overview(user) -> bool:
    """Every service's plan, its state and lateness: the hub and CMT (and audit, which reads all)."""
    return reads_everything(user)


def may_create_service_plan(user) -> bool:
    return is_hub(user) or role_of(user) == Role.HEAD


def may_open_dmt_plans_view(user, directorate_id: int | None) -> bool:
    """The monthly DMT view of a directorate's plans: its director, and those who read everything."""
    return reads_everything(user) or directs_service(user, directorate_id)


# --- Committee reports --------------------------------------------------------------------------
# Report kinds as plain strings (reporting.reports.kinds holds the same values; this module
# imports nothing above organisation).
REPORT_EXECUTIVE = "executive"
REPORT_CMT = "cmt"
REPORT_DMT = "dmt"
REPORT_BOARD = "board"
REPORT_YEAR_END = "year_end"
REPORT_EXCEPTION = "exception"
# Councillors read the Executive's reports once published; directors read (and sign off) drafts.
COUNCILLOR_REPORTS = frozenset({REPORT_EXECUTIVE, REPORT_YEAR_END})
DIRECTOR_REPORTS = frozenset({REPORT_EXECUTIVE, REPORT_CMT, REPORT_YEAR_END, REPORT_BOARD, REPORT_EXCEPTION})
NARRATIVE_REVIEWERS = frozenset({Role.HUB, Role.CMT, Role.DIRECTOR})


def may_generate_reports(user) -> bool:
    """The hub generates (and re-generates) committee reports."""
    return is_hub(user)


def may_publish_reports(user) -> bool:
    return is_hub(user)


def board_id_of(user) -> int | None:
    """A scrutiny or partnership board member's board."""
    profile = profile_of(user)
    return profile.board_id if profile is not None and profile.role == Role.SCRUTINY else None


def is_board_member(user, board_id: int | None) -> bool:
    return board_id is not None and board_id == board_id_of(user)


def may_request_exception_report(user, board_id: int | None) -> bool:
    """Ad hoc exception reports: the hub (for a board or any set of indicators), and a board's own
    members for their board."""
    return is_hub(user) or is_board_member(user, board_id)


def may_write_report(user, kind: str, directorate_id: int | None, board_id: int | None = None) -> bool:
    """Narrative: the hub on any report; a director on their own directorate's DMT report; a
    board's members on the exception reports they may request for it."""
    if is_hub(user):
        return True
    if kind == REPORT_EXCEPTION:
        return is_board_member(user, board_id)
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
    officers their directorate's DMT reports. A board's members read their board's exception
    reports from the draft on (they request and write them). Anonymous visitors read only public
    published versions, on /public/ (never through this check).
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
    if kind == REPORT_EXCEPTION and is_board_member(user, board_id):
        return True
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


# --- Boards' annual delivery plans --------------------------------------------------------------


def may_keep_delivery_plan(user, board_id: int | None) -> bool:
    """The hub, or the board's own members, write a board's annual delivery plan."""
    return is_hub(user) or is_board_member(user, board_id)


def reads_every_delivery_plan(user) -> bool:
    """The hub, those who read everything, and directors (who sign off board reports)."""
    return is_hub(user) or reads_everything(user) or role_of(user) == Role.DIRECTOR


def may_read_delivery_plan(user, board_id: int | None) -> bool:
    return reads_every_delivery_plan(user) or is_board_member(user, board_id)


# --- Returns to central government --------------------------------------------------------------
RETURNS_READERS = frozenset({Role.HUB, Role.CMT, Role.AUDITOR})


def may_read_collections(user) -> bool:
    return has_role(user, RETURNS_READERS)


def may_update_collections(user) -> bool:
    """The hub prepares, checks and submits the returns."""
    return is_hub(user)
