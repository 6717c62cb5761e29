from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "wanjia.demo"
    label = "demo"
    verbose_name = _("演示数据")

    def ready(self):
        from wanjia.core.audit import describe_actions

        describe_actions({"demo.city.loaded": _("载入演示城市")})
