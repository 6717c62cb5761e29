"""What the party endpoints share: the router and the compound a caller may read party data of."""

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema

from wanjia.core.schemas import (
    Id,
)
from wanjia.estates.selectors import (
    compounds_visible_to,
    get_or_404,
)

from .. import selectors

router = Router(tags=["party"])


def party_compound(user, compound_id: int):
    """A compound whose party data ``user`` may read: 404 outside scope, 403 for
    a role without ``party.view``."""
    compound = get_or_404(compounds_visible_to(user), pk=compound_id)
    if not selectors.party_compound_allowed(user, compound):
        raise PermissionDenied
    return compound


class CompoundFilter(Schema):
    compound: Id | None = None
