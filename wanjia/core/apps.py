from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CoreConfig(AppConfig):
    name = "wanjia.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self):
        from . import today_cards  # noqa: F401  registers the registry's today cards
        from .nav import console_nav_link
        from .roles import CAPABILITIES, STAFF_SIDE, Role

        console_nav_link(_("今日工作"), "console_home", roles=None, order=0, icon="today")
        console_nav_link(
            pgettext_lazy("复数", "小区"),
            "compound_list",
            roles=STAFF_SIDE | {Role.REGULATOR},
            order=10,
            icon="building",
        )
        console_nav_link(
            _("查找居民"),
            "resident_search",
            roles=STAFF_SIDE | {Role.REGULATOR},
            order=11,
            icon="search",
        )
        console_nav_link(_("监管首页"), "gov_home", roles={Role.REGULATOR}, order=80, icon="chart")
        console_nav_link(
            _("审计日志"), "audit_log", roles=CAPABILITIES["audit.view"], order=90, icon="audit"
        )
