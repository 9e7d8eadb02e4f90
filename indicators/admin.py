"""Admin for the indicator library: how the hub maintains indicators, periods and targets.

Results are read-only here: they change through the data-entry services, which keep history.
"""

from django.contrib import admin

from indicators.models import (
    Annotation,
    Assessment,
    ComparatorGroup,
    ComparatorOrganisation,
    ComparatorValue,
    ImportBatch,
    Indicator,
    Period,
    ReminderLog,
    Result,
    ResultChange,
    SubmissionReceipt,
    Target,
)


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "start", "end", "financial_year"]
    list_filter = ["kind", "financial_year"]
    search_fields = ["label"]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    autocomplete_fields = ["period"]
    readonly_fields = ["set_by", "set_at"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "service", "category", "polarity", "frequency", "is_active"]
    list_filter = [
        "category",
        "polarity",
        "frequency",
        "measure_type",
        "service__directorate",
        "is_active",
        "on_scorecard",
        "statutory",
        "published",
    ]
    search_fields = ["reference", "title"]
    list_select_related = ["service"]
    autocomplete_fields = ["service", "responsible_officer"]
    filter_horizontal = ["data_entry_officers", "themes", "boards"]
    inlines = [TargetInline]
    fieldsets = [
        (None, {"fields": ["reference", "title", "definition", "data_source", "category", "is_active"]}),
        (
            "Measurement",
            {
                "fields": [
                    "unit",
                    "decimal_places",
                    "polarity",
                    "frequency",
                    "measure_type",
                    "ytd_accumulates",
                    "seasonal",
                    "compare_across_period_kinds",
                    "plausible_min",
                    "plausible_max",
                ]
            },
        ),
        (
            "RAG and direction of travel",
            {"fields": ["tolerance", "tolerance_kind", "change_threshold", "change_threshold_kind"]},
        ),
        (
            "Ownership",
            {"fields": ["service", "responsible_officer", "data_entry_officers", "submission_lag_days"]},
        ),
        (
            "Line of sight and reporting",
            {"fields": ["themes", "portfolio", "boards", "on_scorecard", "statutory", "published"]},
        ),
    ]

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            if formset.model is Target:
                for target in formset.save(commit=False):
                    target.set_by = request.user
        super().save_related(request, form, formsets, change)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "period", "value", "status", "entered_by", "approved_by"]
    list_filter = ["status", "period__kind"]
    search_fields = ["indicator__reference"]
    list_select_related = ["indicator", "period", "entered_by", "approved_by"]


@admin.register(ResultChange)
class ResultChangeAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "period", "action", "old_value", "new_value", "changed_by", "changed_at"]
    list_select_related = ["indicator", "period", "changed_by"]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "period", "value", "set_by", "set_at"]
    search_fields = ["indicator__reference"]
    autocomplete_fields = ["indicator", "period"]
    list_select_related = ["indicator", "period", "set_by"]
    readonly_fields = ["set_by", "set_at"]

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "period", "value", "target", "rag", "direction", "is_latest", "computed_at"]
    list_filter = ["rag", "direction", "is_latest"]
    search_fields = ["indicator__reference"]
    list_select_related = ["indicator", "period"]


# Data entry: read-only views of the import, reminder and double-submit records.


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["filename", "kind", "status", "uploaded_by", "uploaded_at", "applied_at"]
    list_filter = ["kind", "status"]
    # The stored upload (up to 10 MB of bytes) is never shown.
    exclude = ["upload"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields if f.name != "upload"]

    def has_add_permission(self, request):
        return False


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["user", "day", "returns_count", "sent_at"]
    readonly_fields = ["user", "day", "returns_count", "sent_at"]

    def has_add_permission(self, request):
        return False


@admin.register(SubmissionReceipt)
class SubmissionReceiptAdmin(admin.ModelAdmin):
    list_display = ["key", "user", "result", "created_at"]
    readonly_fields = ["key", "user", "result", "created_at"]

    def has_add_permission(self, request):
        return False


# Variation and benchmarking: the hub adds chart annotations and maintains comparator
# groups here; comparator values are normally loaded by /benchmarks/import/.


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ["indicator", "date", "text", "starts_new_baseline", "created_by"]
    list_filter = ["starts_new_baseline"]
    search_fields = ["indicator__reference", "text"]
    autocomplete_fields = ["indicator"]
    list_select_related = ["indicator", "created_by"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ComparatorOrganisation)
class ComparatorOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_own_council"]
    list_filter = ["is_own_council", "groups"]
    search_fields = ["name", "code"]


@admin.register(ComparatorGroup)
class ComparatorGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["members"]


@admin.register(ComparatorValue)
class ComparatorValueAdmin(admin.ModelAdmin):
    list_display = ["indicator", "period", "organisation", "value", "imported_at"]
    list_filter = ["period__kind", "organisation__groups"]
    search_fields = ["indicator__reference", "organisation__name", "organisation__code"]
    autocomplete_fields = ["indicator", "period", "organisation"]
    list_select_related = ["indicator", "period", "organisation"]
