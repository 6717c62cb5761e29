"""The day's bookings as an Excel workbook (the same rows as the printed list)."""

from django.utils import timezone
from django.utils.translation import gettext as _

# the printed list's columns, in Excel
WIDTHS = (16, 18, 14, 22, 10, 6, 30)


def roster_rows(bookings) -> list[list]:
    rows = [
        [
            _("服务"),
            _("时间"),
            _("服务人员/设备"),
            _("住户"),
            _("状态"),
            _("代约"),
            _("备注"),
        ]
    ]
    for b in bookings:
        rows.append(
            [
                b.service.name,
                timezone.localtime(b.slot.starts_at).strftime("%Y-%m-%d %H:%M"),
                b.slot.resource,
                b.household.label,
                b.get_status_display(),
                _("是") if b.on_behalf else "",
                b.note,
            ]
        )
    return rows
