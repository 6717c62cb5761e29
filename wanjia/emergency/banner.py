"""The banner every page of an affected compound carries while an event is
open (registered with ``core.banners``)."""

from django.urls import reverse
from django.utils.translation import gettext

from wanjia.core.banners import Banner, compound_ids_of

from . import access, selectors


def emergency_banners(request) -> list[Banner]:
    ids = compound_ids_of(request)
    if not ids:
        return []
    # a link only for who may open the emergency pages: a resident or a
    # volunteer reads the banner, and a link would answer 403
    url = reverse("emergency_home") if access.anywhere(request.user) else ""
    return [
        Banner(
            text=gettext("应急响应进行中：%(title)s（%(kind)s，%(grade)s）")
            % {"title": e.title, "kind": e.get_kind_display(), "grade": e.get_grade_display()},
            url=url,
        )
        for e in selectors.banners_for_compounds(ids)
    ]
