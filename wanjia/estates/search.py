"""What the registry answers in the console's search box (``core.search``):
residents the user may see on the console, by name, pinyin, initials, room or
the identifiers their role may search by - the resident search page's own
rules, rate limit and audit (``services.resident_search_run``)."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from wanjia.core.search import SHOWN, Hit

from . import selectors, services


def residents(request, q: str):
    user = request.user
    queryset = selectors.console_residents(user)
    more = f"{reverse('console_search_in', args=['estates'])}?{urlencode({'q': q})}"
    try:
        found = selectors.residents_in_finder_order(
            services.resident_search_run(
                actor=user,
                queryset=queryset.select_related("compound", "building", "household__unit"),
                q=q,
                ip=request.META.get("REMOTE_ADDR"),
            )
        )
    except services.SearchRateLimited as exc:
        return [Hit(str(exc.message), "", more)], 1, ""
    total = found.count()
    hits = [
        Hit(
            r.name,
            _("%(compound)s %(building)s%(unit)s%(room)s")
            % {
                "compound": r.compound.name,
                "building": r.building.name,
                "unit": r.household.unit.name,
                "room": r.household.room,
            },
            reverse("household_detail", args=[r.household_id]),
        )
        for r in found[:SHOWN]
    ]
    return hits, total, more
