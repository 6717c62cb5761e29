"""The rollups' menu entries."""

from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from wanjia.core.nav import console_nav_link
    from wanjia.core.roles import Role

    from . import access, tasks  # noqa: F401  tasks: the daily job

    console_nav_link(
        _("监管指标"),
        "supervision_kpis",
        roles={Role.REGULATOR},
        order=60,
        icon="chart",
        allowed=access.supervises,
        bar="gov",
    )
    console_nav_link(
        _("小区排名"),
        "supervision_ranking",
        roles={Role.REGULATOR},
        order=61,
        icon="check",
        allowed=access.supervises,
        bar="gov",
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
