"""Admin for the indicator library: how the hub maintains indicators, periods and targets.

Results are read-only here: they change through the data-entry services, which keep history.
Indicators and targets ask for the reason for a change: target changes are written by the
targets service (`TargetChange`), and changes to the fields that judge a result are kept by the
indicator's history (django-simple-history), both shown on /audit/.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

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
from indicators.services.targets import (
    can_set_targets,
    target_errors,
    target_period_refusal,
    target_remove,
    target_write,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Listed and viewed only: written by the portal's services (which check rights and keep
    history) or derived by the recompute."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The reporting calendar is generated (`indicators.services.periods`), and its labels are printed
# in frozen reports and stored in the scorecards' per-indicator summaries, which a recompute keeps
# while an indicator's assessments are unchanged: a period is never edited by hand.
@admin.register(Period)
class PeriodAdmin(ReadOnlyAdmin):
    list_display = ["label", "kind", "start", "end", "financial_year"]
    list_filter = ["kind", "financial_year"]
    search_fields = ["label"]


REASON_HELP = "Recorded in the audit trail with the change: who, when, old → new and why."


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label="Reason for the change",
        max_length=2000,
        help_text=REASON_HELP,
        error_messages={"required": "Enter the reason for the change: it is kept in the audit trail"},
        widget=forms.TextInput(attrs={"size": 80}),
    )


class IndicatorAdminForm(forms.ModelForm):
    change_reason = _reason_field()

    class Meta:
        model = Indicator
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose which are shown


class TargetAdminForm(forms.ModelForm):
    change_reason = _reason_field()

    class Meta:
        model = Target
        fields = ["indicator", "period", "value"]

    def clean(self):
        data = super().clean()
        indicator = data.get("indicator") or getattr(self.instance, "indicator", None)
        if indicator is not None and data.get("value") is not None:
            errors = target_errors(indicator, data["value"])
            if errors:
                self.add_error("value", errors["value"])
        period = data.get("period") or getattr(self.instance, "period", None)
        if period is not None and (refusal := target_period_refusal(period)):
            self.add_error("period" if "period" in self.fields else None, refusal)
        return data


class TargetInlineFormSet(forms.BaseInlineFormSet):
    """Each target obeys the indicator's unit as the form being saved sets it."""

    def clean(self):
        super().clean()
        for form in self.forms:
            value = form.cleaned_data.get("value") if hasattr(form, "cleaned_data") else None
            if value is None or form.cleaned_data.get("DELETE") or not form.has_changed():
                continue
            errors = target_errors(self.instance, value)
            if errors:
                form.add_error("value", errors["value"])
            period = form.cleaned_data.get("period")
            if period is not None and (refusal := target_period_refusal(period)):
                form.add_error("period", refusal)


class TargetInline(admin.TabularInline):
    model = Target
    formset = TargetInlineFormSet
    extra = 0
    exclude = ["kind"]  # ordinary targets only: a trajectory is its remedial plan's
    autocomplete_fields = ["period"]
    readonly_fields = ["set_by", "set_at"]

    def has_add_permission(self, request, obj=None):
        return can_set_targets(request.user) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return can_set_targets(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return can_set_targets(request.user) and super().has_delete_permission(request, obj)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    form = IndicatorAdminForm
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
        ("Why", {"fields": ["change_reason"]}),
    ]

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        obj._change_reason = form.cleaned_data["change_reason"]
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Target:
            return super().save_formset(request, form, formset, change)
        reason = form.cleaned_data["change_reason"]
        targets = formset.save(commit=False)
        for target in formset.deleted_objects:
            target_remove(user=request.user, target=target, reason=reason)
        for target in targets:
            target_write(user=request.user, target=target, reason=reason)


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
    """Targets by the hub, each change with its reason. Removing one is done on its indicator's
    page, where the reason is asked for (the list's bulk delete would ask for none)."""

    form = TargetAdminForm
    list_display = ["indicator", "period", "value", "set_by", "set_at"]
    search_fields = ["indicator__reference"]
    autocomplete_fields = ["indicator", "period"]
    list_select_related = ["indicator", "period", "set_by"]
    fields = ["indicator", "period", "value", "change_reason", "set_by", "set_at"]

    def get_readonly_fields(self, request, obj=None):
        # Which indicator and period a target is for is fixed once it exists: its history is by them.
        return ["indicator", "period", "set_by", "set_at"] if obj else ["set_by", "set_at"]

    def has_add_permission(self, request):
        return can_set_targets(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return can_set_targets(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            target_write(user=request.user, target=obj, reason=form.cleaned_data["change_reason"])
        except ValidationError as error:  # checked by the form already; a race is refused whole
            raise ValidationError(error.messages) from error


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
