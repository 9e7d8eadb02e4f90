from django.shortcuts import render

from indicators.data_entry.services.returns import returns_needing_attention
from indicators.selectors import my_indicators, status_counts

ATTENTION_SHOWN = 20  # more than this and the home page links to /returns/ for the rest


def home(request):
    """Signed in: the returns needing the user's attention (returned for changes, then overdue),
    then their own indicators and counts of their latest RAG and direction.
    Anonymous: the public landing page."""
    if not request.user.is_authenticated:
        return render(request, "reporting/landing.html", {"nav_section": "home"})
    indicators = my_indicators(request.user)
    attention = returns_needing_attention(request.user)
    context = {
        "attention": attention[:ATTENTION_SHOWN],
        "attention_total": len(attention),
        "indicators": list(indicators[:50]),
        "counts": status_counts(indicators),
        "nav_section": "home",
    }
    return render(request, "reporting/home.html", context)
