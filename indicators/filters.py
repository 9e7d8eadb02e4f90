"""The indicator library's search, filters and sort order (django-filter).

Filter values travel in the URL, so any filtered view can be bookmarked and shared. Unknown or
malformed values make the form invalid: the page says which filter was wrong and ignores it.
"""

import django_filters
from django import forms
from django.db.models import Q

from indicators.analytics import constants as c
from indicators.models import Indicator
from organisation.models import Directorate, Service, Theme

SORTS = {
    "reference": ("reference", "Reference (A–Z)"),
    "-reference": ("-reference", "Reference (Z–A)"),
    "title": ("title", "Title (A–Z)"),
    "service": ("service__name", "Service"),
    "rag": ("latest_rag_order", "RAG (red first)"),
    "direction": ("latest_direction_order", "Direction of travel (worsening first)"),
}


class IndicatorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search by reference or words", max_length=100)
    directorate = django_filters.ModelChoiceFilter(
        field_name="service__directorate",
        to_field_name="slug",
        queryset=Directorate.objects.all(),
        empty_label="All directorates",
    )
    service = django_filters.ModelChoiceFilter(
        to_field_name="slug", queryset=Service.objects.all(), empty_label="All services"
    )
    theme = django_filters.ModelChoiceFilter(
        field_name="themes", to_field_name="slug", queryset=Theme.objects.all(), empty_label="All themes"
    )
    category = django_filters.ChoiceFilter(choices=Indicator.Category.choices, empty_label="All categories")
    polarity = django_filters.ChoiceFilter(
        choices=list(c.POLARITY_LABELS.items()), empty_label="Any polarity"
    )
    frequency = django_filters.ChoiceFilter(choices=Indicator.Frequency.choices, empty_label="Any frequency")
    rag = django_filters.ChoiceFilter(
        field_name="latest_rag", choices=list(c.RAG_LABELS.items()), empty_label="Any RAG", label="Latest RAG"
    )
    direction = django_filters.ChoiceFilter(
        field_name="latest_direction",
        choices=list(c.DIRECTION_LABELS.items()),
        empty_label="Any direction",
        label="Latest direction of travel",
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        choices=[(k, label) for k, (_, label) in SORTS.items()],
        empty_label="Reference (A–Z)",
        label="Sort by",
    )

    class Meta:
        model = Indicator
        fields = []

    def search(self, queryset, name, value):
        words = value.split()
        for word in words[:10]:
            queryset = queryset.filter(Q(reference__icontains=word) | Q(title__icontains=word))
        return queryset

    def sort_by(self, queryset, name, value):
        return queryset.order_by(SORTS[value][0], "reference")

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            css = "govuk-input" if isinstance(field.widget, forms.TextInput) else "govuk-select"
            field.widget.attrs.setdefault("class", css)
        return form
