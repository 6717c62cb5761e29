"""What the market console pages share: the market or window in scope (404 outside, 403 without the role) and local dates and times from a form."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors
from ..access import require_manage


def _market(request, market_id):
    return selectors.get_or_404(selectors.markets_visible_to(request.user), pk=market_id)


def _managed_market(request, market_id):
    market = _market(request, market_id)
    require_manage(request.user, market)
    return market


def _window(request, window_id):
    return selectors.get_or_404(selectors.windows_visible_to(request.user), pk=window_id)


def _local_dt(value: str, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise ValidationError({field: _("请填写日期和时间。")}) from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise ValidationError({field: _("日期格式应为 2024-06-01。")}) from None
