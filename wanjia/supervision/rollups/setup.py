"""The rollups' menu entries."""

from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from wanjia.core import panels as kernel_panels
    from wanjia.core.nav import console_nav_link
    from wanjia.core.roles import Role

    from . import access, panels, tasks  # noqa: F401  tasks: the daily job

    kernel_panels.register(
        "estates.gov_area", "supervision/rollups/_gov_area.html", panels.gov_area, order=10
    )

    console_nav_link(
        _("监管指标"),
        "supervision_kpis",
        roles={Role.REGULATOR},
        order=20,
        icon="chart",
        allowed=access.supervises,
        bar="gov",
        group="oversee",
    )
    console_nav_link(
        _("小区排名"),
        "supervision_ranking",
        roles={Role.REGULATOR},
        order=21,
        icon="check",
        allowed=access.supervises,
        bar="gov",
        group="oversee",
    )
    console_nav_link(
        _("监管指标"),
        "supervision_mine",
        roles={Role.COMPANY_ADMIN, Role.COMPOUND_MANAGER, Role.PARTY_SECRETARY},
        order=95,
        icon="chart",
        group="rate",
        allowed=access.reads_any,
    )
