"""GOV.UK-styled forms: the base every page's form builds on, with errors shown by the field."""

from django import forms
from django.forms.boundfield import BoundField


class GovukBoundField(BoundField):
    """Marks an input in error the GOV.UK way and ties it to its message for screen readers."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors and not (widget or self.field.widget).is_hidden:
            base = attrs.get("class") or (widget or self.field.widget).attrs.get("class", "")
            error_class = "govuk-textarea--error" if "govuk-textarea" in base else "govuk-input--error"
            attrs["class"] = f"{base} {error_class}".strip()
            attrs["aria-describedby"] = f"{self.auto_id}-error"
        return attrs


class GovukForm(forms.Form):
    bound_field_class = GovukBoundField
