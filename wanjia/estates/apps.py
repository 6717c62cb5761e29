from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EstatesConfig(AppConfig):
    name = "wanjia.estates"
    label = "estates"
    verbose_name = _("小区档案")

    def ready(self):
        from wanjia.core.nav import console_nav_link
        from wanjia.core.roles import STAFF_SIDE, Role

        from . import today  # noqa: F401  registers the registry's today cards

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
