"""Admin for the hub: the risk matrix and the planning calendar. Plans are kept through the portal's
pages (their services check rights and keep history), so the admin only lists them."""

from django.contrib import admin

from indicators.admin import ReadOnlyAdmin
from service_plans.models import Plan, PlanningCalendar, RiskMatrix


@admin.register(RiskMatrix)
class RiskMatrixAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "version",
        "likelihood_levels",
        "impact_levels",
        "amber_from",
        "red_from",
        "is_current",
    ]

    def has_change_permission(self, request, obj=None):
        # A matrix a risk uses is locked: a change is a new version (add one, mark it current).
        if obj is not None and obj.risks.exists():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.risks.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(PlanningCalendar)
class PlanningCalendarAdmin(admin.ModelAdmin):
    list_display = ["financial_year", "templates_agreed", "drafts_due", "sign_off_due", "review_from"]


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["service", "financial_year", "years_covered", "status", "version", "updated_at"]
    list_filter = ["status", "financial_year"]
