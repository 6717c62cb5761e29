from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "wanjia.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self):
        from .nav import console_nav_link
        from .roles import CAPABILITIES

        console_nav_link(_("今日工作"), "console_home", roles=None, order=0, icon="today")
        console_nav_link(
            _("审计日志"), "audit_log", roles=CAPABILITIES["audit.view"], order=90, icon="audit"
        )
