"""Data-entry forms: a result, an approval decision, a restore, an upload, a target."""

import secrets

from django import forms
from django.core.exceptions import ValidationError

from indicators.forms import GovukForm
from indicators.workbooks.values import parse_number


def new_form_key() -> str:
    """A one-time key per rendered form, so the same form sent twice is applied once."""
    return secrets.token_urlsafe(24)


class NumberField(forms.CharField):
    """Accepts numbers the way officers type them ("13,805", "95.8%")."""

    def __init__(self, *, label, required=False, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "class": "govuk-input govuk-input--width-10",
                    "inputmode": "decimal",
                    "spellcheck": "false",
                }
            ),
        )
        super().__init__(label=label, required=required, **kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        try:
            return parse_number(text)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class ResultEntryForm(GovukForm):
    value = NumberField(
        label="Result", required=True, error_messages={"required": "Enter the result, a number such as 95.8"}
    )
    numerator = NumberField(label="Numerator (optional)")
    denominator = NumberField(label="Denominator (optional)")
    commentary = forms.CharField(
        label="Commentary",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3}),
        help_text="Needed before a red result can be submitted: what happened and what is being done.",
    )
    is_provisional = forms.BooleanField(
        label="Provisional figure",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
    )
    is_proxy = forms.BooleanField(
        label="Proxy data (an estimate in the absence of actual data)",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
    )
    confirm_unusual = forms.BooleanField(
        label="I have checked this unusual value and it is right",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, initial=0)
    key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    # Set by the view when the service asked for confirmation: only then is the checkbox shown.
    needs_confirmation = False

    def __init__(self, *args, uses_fraction: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not uses_fraction:
            # Only indicators that record a numerator and denominator show them.
            del self.fields["numerator"]
            del self.fields["denominator"]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "value": data["value"],
            "numerator": data.get("numerator"),
            "denominator": data.get("denominator"),
            "commentary": data.get("commentary", ""),
            "is_provisional": data.get("is_provisional", False),
            "is_proxy": data.get("is_proxy", False),
            "confirm_unusual": data.get("confirm_unusual", False),
            "expected_version": data["version"],
            "key": data.get("key") or None,
        }


class ReturnDecisionForm(GovukForm):
    """Approve, or return for changes with a reason."""

    reason = forms.CharField(
        label="Reason for returning it (needed to return it)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)


class RestoreForm(GovukForm):
    reason = forms.CharField(
        label="Why are you restoring this version?",
        max_length=2000,
        error_messages={"required": "Enter why you are restoring this version"},
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 2}),
    )


class UploadForm(GovukForm):
    file = forms.FileField(
        label="Workbook or CSV file",
        help_text="An .xlsx or .csv file: the bulk results template, or a Table 3.3 indicator table.",
        error_messages={"required": "Choose an .xlsx or .csv file to import"},
    )
    service = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Service for indicators the file creates",
        help_text="Only used by the hub, when the file names indicators the portal does not have yet.",
        empty_label="Unassigned",
    )

    def __init__(self, *args, **kwargs):
        from organisation.models import Service

        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.select_related("directorate")


class TargetForm(GovukForm):
    period = forms.CharField(
        label="Period",
        max_length=20,
        help_text='A financial year such as "2015/16", a quarter such as "Q3 2015/16" or a month such as "Dec 2015".',
        error_messages={"required": "Enter the period, such as 2015/16"},
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"}),
    )
    value = NumberField(
        label="Target", required=True, error_messages={"required": "Enter the target, a number"}
    )
    reason = forms.CharField(
        label="Reason for the change",
        max_length=2000,
        help_text="Kept in the audit trail with who, when and the old and new target.",
        error_messages={"required": "Enter the reason for the change: it is kept in the audit trail"},
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
    )

    def clean_period(self):
        from indicators.periods import period_bounds, target_period_error
        from indicators.workbooks.parser import parse_period_label
        from organisation.calendar import reporting_date

        key = parse_period_label(self.cleaned_data["period"])
        if key is None:
            raise ValidationError(
                'Enter a period like "2015/16", "Q3 2015/16" or "Dec 2015", between 1990 and 2100'
            )
        # Refused here, before the period is created: a far-future year never becomes a period.
        refusal = target_period_error(start=key[1], label=period_bounds(*key)[2], as_of=reporting_date())
        if refusal:
            raise ValidationError(refusal)
        return key


class AuditFilterForm(GovukForm):
    """The audit trail's filters (all optional): indicator, who, from and to dates, kind of change."""

    indicator = forms.CharField(label="Indicator reference", required=False, max_length=20)
    changed_by = forms.CharField(label="Changed by (username or name)", required=False, max_length=150)
    date_from = forms.DateField(
        label="From (date)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}),
        error_messages={"invalid": "Enter the from date as a real date, for example 2015-12-31"},
    )
    date_to = forms.DateField(
        label="To (date)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "govuk-input govuk-input--width-10"}),
        error_messages={"invalid": "Enter the to date as a real date, for example 2015-12-31"},
    )
    kind = forms.ChoiceField(label="Kind of change", required=False)

    def __init__(self, *args, **kwargs):
        from indicators.selectors import HISTORY_ACTION_LABELS

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Any change")] + list(HISTORY_ACTION_LABELS.items())
        self.fields["kind"].widget.attrs["class"] = "govuk-select"
        for name in ("indicator", "changed_by"):
            self.fields[name].widget.attrs.setdefault("class", "govuk-input govuk-input--width-20")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The to date must be the same as or after the from date")
        return data
