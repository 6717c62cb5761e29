from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "wanjia.party"
    label = "party"
    verbose_name = _("党建引领")

    def ready(self):
        from wanjia.core.nav import console_nav_link
        from wanjia.core.roles import CAPABILITIES

        from . import today  # noqa: F401  registers today's cards

        console_nav_link(
            _("党建"), "party_home", roles=CAPABILITIES["party.view"], order=35, icon="flag"
        )
