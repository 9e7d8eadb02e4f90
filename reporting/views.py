from django.shortcuts import render

from indicators.selectors import my_indicators, status_counts


def home(request):
    """Signed in: the user's own indicators and counts of their latest RAG and direction.
    Anonymous: the public landing page."""
    if not request.user.is_authenticated:
        return render(request, "reporting/landing.html", {"nav_section": "home"})
    indicators = my_indicators(request.user)
    context = {
        "indicators": list(indicators[:50]),
        "counts": status_counts(indicators),
        "nav_section": "home",
    }
    return render(request, "reporting/home.html", context)
