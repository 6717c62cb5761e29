"""Today's-work card of the party layer: buildings nobody answers for."""

from django.urls import reverse
from django.utils.translation import gettext as _

from wanjia.core.models import Building, Compound
from wanjia.core.roles import Role
from wanjia.core.scoping import roles_of, scope_q
from wanjia.core.today import Card, today_provider

from .selectors import covered_buildings_q


@today_provider(order=35)
def party_coverage(user) -> list[Card]:
    if Role.PARTY_SECRETARY not in roles_of(user):
        return []
    compounds = Compound.objects.filter(scope_q(user, roles={Role.PARTY_SECRETARY}, compound="id"))
    uncovered = (
        Building.objects.filter(compound__in=compounds)
        .exclude(covered_buildings_q())
        .select_related("compound")
        .order_by("compound__code", "sort", "name")
    )
    n = uncovered.count()
    first = compounds.order_by("code").first()
    url = reverse("party_coverage") + (f"?compound={first.pk}" if first else "")
    return [
        Card(
            title=_("党员联户：未覆盖楼栋"),
            count=n,
            url=url,
            detail=_("为这些楼栋安排联系党员") if n else _("每栋楼都有联系党员"),
            status="due" if n else "done",
            items=[
                (str(b), reverse("party_coverage") + f"?compound={b.compound_id}")
                for b in uncovered[:5]
            ],
        )
    ]
