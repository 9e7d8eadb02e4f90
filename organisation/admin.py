from django.contrib import admin

from organisation.models import (
    Board,
    CouncilPlan,
    Directorate,
    Portfolio,
    Profile,
    ReportingCalendar,
    Service,
    Theme,
)


@admin.register(CouncilPlan)
class CouncilPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "start_year", "end_year"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "council_plan", "order"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Portfolio)
class PortfolioAdmin(admin.ModelAdmin):
    list_display = ["name", "executive_member"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["themes"]


@admin.register(Directorate)
class DirectorateAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "director"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "directorate", "assistant_director"]
    list_filter = ["directorate"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "directorate", "service", "portfolio", "board"]
    list_filter = ["role"]
    list_select_related = ["user", "directorate", "service", "portfolio", "board"]


@admin.register(ReportingCalendar)
class ReportingCalendarAdmin(admin.ModelAdmin):
    list_display = ["as_of"]
