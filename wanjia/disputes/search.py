"""What disputes answers in the console's search box (``core.search``): cases
the user may read, by number or by words of the summary."""

from django.db.models import Q
from django.urls import reverse

from wanjia.core.search import SHOWN, Hit

from . import selectors


def cases(request, q: str):
    term = q.lstrip("#")
    cond = Q(summary__icontains=q)
    if term.isdigit():
        cond |= Q(pk=int(term))
    found = selectors.cases_visible_to(request.user).filter(cond).order_by("-opened_at")
    total = found.count()
    hits = [
        Hit(
            f"#{c.pk} {c.get_category_display()}",
            f"{c.compound.name} · {c.get_status_display()} · {c.summary[:40]}",
            reverse("disputes_case", args=[c.pk]),
        )
        for c in found[:SHOWN]
    ]
    return hits, total, ""
