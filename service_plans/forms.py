"""Forms for plans, actions, progress updates, risks and the cycle, with the template's prompts as hints.

Forms parse and check types; the rules that span fields (completed means 100 % and a date, a
score on the matrix, a worse target needs a reason) are the services' and come back as field
errors through `add_service_errors`.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from indicators.models import Indicator
from organisation.ids import parse_id
from organisation.models import Portfolio, Service, Theme
from service_plans.models import Action, Plan, Risk
from service_plans.services import SECTION_FIELDS


def _people():
    return (
        get_user_model()
        .objects.filter(is_active=True, profile__isnull=False)
        .order_by("last_name", "first_name")
    )


def _safe_ids(values) -> None:
    """Refuse ids no database column can hold (a hostile form value would be a 500 at the query)."""
    for value in values:
        text = str(value).strip()
        if text in ("",):
            continue
        if parse_id(text) is None:
            raise ValidationError("Select a valid choice.", code="invalid_choice")


class SafeModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values:
            _safe_ids([value])
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        try:
            _safe_ids(value)
        except ValidationError:
            raise ValidationError(
                self.error_messages["invalid_pk_value"] % {"pk": "?"}, code="invalid_pk_value"
            ) from None
        return super()._check_values(value)


class PersonChoiceField(SafeModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name() or obj.get_username()
        title = getattr(getattr(obj, "profile", None), "job_title", "")
        return f"{name} ({title})" if title else name


class GovukMixin:
    """GOV.UK Frontend classes on every widget, and aria-describedby to hints and errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field) is forms.ModelChoiceField:
                field.__class__ = SafeModelChoiceField
            elif type(field) is forms.ModelMultipleChoiceField:
                field.__class__ = SafeModelMultipleChoiceField
            widget = field.widget
            if isinstance(widget, forms.Textarea):
                css = "govuk-textarea"
                widget.attrs.setdefault("rows", 4)
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                css = ""
            elif isinstance(widget, forms.CheckboxInput):
                css = "govuk-checkboxes__input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "govuk-select"
            else:
                css = "govuk-input"
                if isinstance(widget, (forms.NumberInput, forms.DateInput)):
                    css += " govuk-input--width-10"
            if css:
                widget.attrs["class"] = css

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                ids = widget.attrs.get("aria-describedby", "").split()
                if self.fields[name].help_text:
                    ids.append(f"id_{self.add_prefix(name)}_helptext")
                ids.append(f"id_{self.add_prefix(name)}-error")
                widget.attrs["aria-describedby"] = " ".join(dict.fromkeys(ids))
                widget.attrs["aria-invalid"] = "true"


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: by field where the form has it, else at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class DateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"})

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d/%m/%Y"])
        super().__init__(**kwargs)


class EditMeta(forms.Form):
    """Hidden edit counter (stale-form check) and the reason for the change."""

    edit_count = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    reason = forms.CharField(
        required=False,
        max_length=2000,
        label="Reason for the change (optional)",
        help_text="Kept with the plan's history: who changed what, when and why.",
    )


class PlanCreateForm(GovukMixin, forms.Form):
    service = forms.ModelChoiceField(queryset=Service.objects.none(), empty_label=None)
    financial_year = forms.TypedChoiceField(coerce=int, label="First financial year")
    years_covered = forms.TypedChoiceField(
        coerce=int,
        choices=[(1, "1 year"), (2, "2 years"), (3, "3 years")],
        initial=3,
        help_text="A plan covers at least one financial year and at most three.",
    )
    buddy = PersonChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label="Buddy manager",
        help_text="Another head of service who scrutinises the plan (Service to City).",
    )

    def __init__(self, *args, services, years, buddies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["financial_year"].choices = [(y, f"{y}/{(y + 1) % 100:02d}") for y in years]
        self.fields["buddy"].queryset = buddies


SECTION_HINTS = {
    "description": "1a. The vision and a summary of the overall service and its objectives.",
    "customers": "How many customers? Who are the key customers and other stakeholders?",
    "client_groups": "What client groups?",
    "teams": "How are the teams grouped?",
    "partners": "Who are your main partners?",
    "demographics": "1b. Demographics: what is happening with regards client groups?",
    "strategies": "The overarching aims or strategies of the council and your main partners that impact on your service.",
    "drivers": "The big ticket items driving the need to change, e.g. Care Act, BCF, budget, workforce.",
    "challenging_performance": "Areas of performance that have been challenging (e.g. sickness, PDR, complaints, budget spend).",
    "risks_and_issues": "Areas of risk and issues identified (record the risks themselves in Table 3.2).",
    "staff_headcount": "How many staff? Headcount.",
    "staff_fte": "Full-time equivalents.",
    "budget": "What is your budget? Net budget in pounds, e.g. 1250000.",
    "future_for_customer": "2. How the service will look to the customer in the future.",
    "savings_summary": "The savings you are required to make next year and longer, and the areas they fall in "
    "(detail to allow monitoring goes in Table 3.1).",
    "high_level_activity": "The high level activity required to meet the priorities (detail in Table 3.1).",
    "foreseen_risks": "Risks you foresee in the delivery (record them in Table 3.2).",
}


class PlanSectionsForm(GovukMixin, forms.ModelForm):
    edit_count = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    reason = EditMeta.base_fields["reason"]

    class Meta:
        model = Plan
        fields = list(SECTION_FIELDS)  # the plan sections the service compares and records
        labels = {
            "description": "Description",
            "customers": "Customers and stakeholders",
            "risks_and_issues": "Risks and issues identified",
            "staff_headcount": "Staff (headcount)",
            "staff_fte": "Staff (FTE)",
            "budget": "Budget (£)",
            "future_for_customer": "The service to the customer in future",
            "savings_summary": "Savings required",
            "portfolio": "Executive Member portfolio",
            "buddy": "Buddy manager",
        }
        field_classes = {"buddy": PersonChoiceField}

    def __init__(self, *args, buddies=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, hint in SECTION_HINTS.items():
            self.fields[name].help_text = hint
        self.fields["years_covered"] = forms.TypedChoiceField(
            coerce=int, choices=[(1, "1 year"), (2, "2 years"), (3, "3 years")], label="Years covered"
        )
        self.fields["years_covered"].widget.attrs["class"] = "govuk-select"
        self.fields["portfolio"].queryset = Portfolio.objects.order_by("name")
        self.fields[
            "portfolio"
        ].help_text = "Its Executive Member is the plan's cabinet member and signs it off."
        if buddies is not None:
            self.fields["buddy"].queryset = buddies
        self.fields["budget"].localize = False

    def _post_clean(self):
        # The services validate and save; the form only parses (no model validation here).
        pass


class ActionForm(GovukMixin, forms.ModelForm):
    edit_count = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    reason = EditMeta.base_fields["reason"]
    outcome_indicators = forms.ModelMultipleChoiceField(
        queryset=Indicator.objects.none(),
        required=False,
        label="Measurable outcome indicators",
        help_text="At least one before the plan can be submitted. Hold Ctrl (or Cmd) to choose several.",
    )
    start_date = DateField()
    due_date = DateField(label="Completed by date")
    completed_on = DateField(
        required=False, label="Completion date", help_text="Only for a completed action."
    )
    percent_complete = forms.IntegerField(label="Percent complete", initial=0)

    class Meta:
        model = Action
        fields = [
            "reference",
            "theme",
            "title",
            "kind",
            "accountable_officer",
            "start_date",
            "due_date",
            "outcome_indicators",
            "frequency",
            "status",
            "percent_complete",
            "completed_on",
            "status_reason",
        ]
        labels = {
            "title": "Action",
            "kind": "Business as usual (state if statutory) or major project",
            "theme": "Priority theme",
            "frequency": "Frequency of monitoring",
        }
        field_classes = {"accountable_officer": PersonChoiceField}

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome_indicators"].queryset = indicators
        self.fields["outcome_indicators"].widget.attrs["size"] = 8
        self.fields["accountable_officer"].queryset = _people()
        self.fields["theme"].queryset = Theme.objects.order_by("order", "name")
        self.fields["title"].widget = forms.Textarea(attrs={"rows": 3, "class": "govuk-textarea"})
        self.fields["status_reason"].label = "Reason (deferred or cancelled)"
        self.fields["status_reason"].widget = forms.Textarea(attrs={"rows": 2, "class": "govuk-textarea"})

    def _post_clean(self):
        pass

    def service_data(self) -> dict:
        data = {
            name: self.cleaned_data.get(name) for name in self.Meta.fields if name != "outcome_indicators"
        }
        data["percent_complete"] = (
            data.get("percent_complete") if data.get("percent_complete") is not None else 0
        )
        return data


class ProgressUpdateForm(GovukMixin, forms.Form):
    month = forms.TypedChoiceField(coerce=str, label="Month of the update")
    status = forms.ChoiceField(choices=Action.Status.choices)
    percent_complete = forms.IntegerField(label="Percent complete")
    completed_on = DateField(
        required=False, label="Completion date", help_text="Only when the action is completed."
    )
    status_reason = forms.CharField(
        required=False, label="Reason (deferred or cancelled)", widget=forms.Textarea(attrs={"rows": 2})
    )
    commentary = forms.CharField(
        label="Commentary",
        help_text="What has been done since the last update and what is next.",
        widget=forms.Textarea,
    )

    def __init__(self, *args, months, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [(m.isoformat(), f"{m:%B %Y}") for m in months]


RATING_HINT = "Likelihood and impact from 1 to {n}; leave both blank for “to be scored”."


class RiskForm(GovukMixin, forms.ModelForm):
    edit_count = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    reason = EditMeta.base_fields["reason"]
    inherent_likelihood = forms.IntegerField(required=False, label="Inherent likelihood")
    inherent_impact = forms.IntegerField(required=False, label="Inherent impact")
    current_likelihood = forms.IntegerField(required=False, label="Current likelihood")
    current_impact = forms.IntegerField(required=False, label="Current impact")
    target_likelihood = forms.IntegerField(required=False, label="Target likelihood")
    target_impact = forms.IntegerField(required=False, label="Target impact")
    inherent_on = DateField(required=False, label="Inherent rating dated")
    current_on = DateField(required=False, label="Current rating dated")
    target_by = DateField(required=False, label="Date for the target rating")
    review_date = DateField(required=False, label="Next review date")
    mitigating_actions = forms.ModelMultipleChoiceField(
        queryset=Action.objects.none(),
        required=False,
        label="Mitigating plan actions",
        help_text="Actions of this plan that mitigate the risk.",
    )
    indicators = forms.ModelMultipleChoiceField(
        queryset=Indicator.objects.none(),
        required=False,
        label="Indicators the risk names",
    )

    class Meta:
        model = Risk
        fields = [
            "reference",
            "cause",
            "event",
            "consequence",
            "inherent_likelihood",
            "inherent_impact",
            "inherent_on",
            "current_likelihood",
            "current_impact",
            "current_on",
            "target_likelihood",
            "target_impact",
            "target_by",
            "target_reason",
            "existing_controls",
            "mitigation",
            "mitigating_actions",
            "indicators",
            "responsible_officer",
            "review_date",
            "escalation",
            "escalation_reason",
            "exempt",
            "is_closed",
        ]
        labels = {
            "cause": "Cause",
            "event": "Risk (event)",
            "consequence": "Consequence",
            "target_reason": "Reason the target is not better than the current rating",
            "existing_controls": "Existing controls",
            "mitigation": "Actions to mitigate and correct",
            "escalation_reason": "Reason for the escalation",
            "exempt": "Exempt from publication",
            "is_closed": "Closed",
        }
        field_classes = {"responsible_officer": PersonChoiceField}

    def __init__(self, *args, plan, matrix, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mitigating_actions"].queryset = plan.actions.order_by("order", "reference")
        self.fields["indicators"].queryset = indicators
        self.fields["responsible_officer"].queryset = _people()
        for stage in ("inherent", "current", "target"):
            self.fields[f"{stage}_likelihood"].help_text = RATING_HINT.format(n=matrix.likelihood_levels)
        for name in (
            "cause",
            "event",
            "consequence",
            "target_reason",
            "existing_controls",
            "mitigation",
            "escalation_reason",
        ):
            self.fields[name].widget = forms.Textarea(attrs={"rows": 2, "class": "govuk-textarea"})

    def _post_clean(self):
        pass

    def service_data(self) -> dict:
        skip = {"mitigating_actions", "indicators"}
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields if name not in skip}


class RiskReviewForm(GovukMixin, forms.Form):
    likelihood = forms.IntegerField(required=False, label="Current likelihood")
    impact = forms.IntegerField(required=False, label="Current impact")
    note = forms.CharField(label="What the review found", widget=forms.Textarea)


class TransitionForm(forms.Form):
    move = forms.CharField(max_length=30)
    comment = forms.CharField(required=False, max_length=4000)


class CommentForm(GovukMixin, forms.Form):
    text = forms.CharField(label="Scrutiny comment", max_length=4000, widget=forms.Textarea)


class AddIndicatorForm(GovukMixin, forms.Form):
    reference = forms.CharField(
        label="Indicator reference", max_length=20, help_text="From the indicator library, e.g. STF15."
    )
    edit_count = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class IncludeForm(GovukMixin, forms.Form):
    """Table 3.3's "Include on the directorate scorecard" for one indicator."""

    include = forms.TypedChoiceField(
        choices=[
            ("yes", "Yes: on the directorate scorecard"),
            ("no", "No: not on the directorate scorecard"),
        ],
        coerce=lambda value: value == "yes",
        label="Include on the directorate scorecard",
        error_messages={"required": "Choose yes or no.", "invalid_choice": "Choose yes or no."},
    )
    reason = forms.CharField(
        label="Reason for the change",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept in the indicator's and the plan's history: who changed it, when and why.",
        error_messages={"required": "Say why, in a sentence (at least 10 characters)."},
    )
    edit_count = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class ImportForm(forms.Form):
    workbook = forms.FileField(
        label="Plan workbook (.xlsx)",
        help_text="This portal's export, or a plan in the council's template (Tables 3.1, 3.2 and 3.3 with "
        "the template's column headings).",
    )


class ObjectiveForm(GovukMixin, forms.Form):
    financial_year = forms.TypedChoiceField(coerce=int, label="Year")
    text = forms.CharField(label="Objective", widget=forms.Textarea, max_length=4000)
    actions = forms.ModelMultipleChoiceField(
        queryset=Action.objects.none(),
        required=False,
        label="Plan actions it serves",
        help_text="Hold Ctrl (or Cmd) to choose several.",
    )
    indicators = forms.ModelMultipleChoiceField(
        queryset=Indicator.objects.none(), required=False, label="Indicators it serves"
    )

    def __init__(self, *args, years, actions, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financial_year"].choices = [(y, f"{y}/{(y + 1) % 100:02d}") for y in years]
        self.fields["actions"].queryset = actions
        self.fields["actions"].label_from_instance = lambda a: (
            f"{a.reference} {a.title[:80]} ({a.plan.service.name})"
        )
        self.fields["indicators"].queryset = indicators


class SavingForm(GovukMixin, forms.Form):
    financial_year = forms.IntegerField(label="Financial year", help_text="E.g. 2016 for 2016/17.")
    amount = forms.DecimalField(label="Saving (£)", max_digits=14, decimal_places=2)
    area = forms.CharField(label="Where the saving falls", max_length=300)
    edit_count = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
