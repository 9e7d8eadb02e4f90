"""Benchmarking: comparator organisations, their groups and the values they publish."""

from django.db import models

from indicators.models.library import Indicator, Period


class ComparatorOrganisation(models.Model):
    """Another council (or a national/regional average) that results are benchmarked against."""

    name = models.CharField(max_length=200, unique=True)
    code = models.CharField(max_length=20, unique=True, help_text="E.g. an ONS code such as E06000014.")
    is_own_council = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ComparatorGroup(models.Model):
    """E.g. CIPFA nearest neighbours, English unitary authorities, national."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(ComparatorOrganisation, related_name="groups", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ComparatorValue(models.Model):
    """One organisation's value for one indicator and period (long format, as imported)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="comparator_values")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(ComparatorOrganisation, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(max_digits=18, decimal_places=4)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator", "period__start", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "organisation"],
                name="comparator_value_unique",
                violation_error_message="That organisation already has a value for this indicator and period.",
            )
        ]

    def __str__(self):
        return f"{self.indicator_id} {self.period_id} {self.organisation_id}: {self.value}"
