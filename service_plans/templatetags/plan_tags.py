from django import template

register = template.Library()


@register.filter
def plan_words(name: str) -> str:
    """A field name as words: "staff_headcount" → "staff headcount"."""
    return str(name).replace("_", " ")
