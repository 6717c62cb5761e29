"""What the market floor pages share: the window in scope and who may see its orders."""

from django.core.exceptions import PermissionDenied

from wanjia.core.scoping import can

from .. import selectors
from ..access import can_operate

FORM_SCOPE = "market.order.form"


def _window(request, window_id):
    return selectors.get_or_404(selectors.windows_visible_to(request.user), pk=window_id)


def _can_see_orders(user, market) -> bool:
    return can_operate(user, market) or can(user, "market.view_orders", compound=market.compound)


def _staff_window(request, window_id):
    window = _window(request, window_id)
    if not _can_see_orders(request.user, window.market):
        raise PermissionDenied
    return window
