"""The wall screen's menu entry on the regulator's bar."""

from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from wanjia.core.nav import console_nav_link
    from wanjia.core.roles import Role

    from . import access

    console_nav_link(
        _("监管大屏"),
        "supervision_wall",
        roles={Role.REGULATOR},
        order=90,
        icon="chart",
        allowed=access.anywhere,
        bar="gov",
        group="oversee",
    )
