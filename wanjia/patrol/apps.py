from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolConfig(AppConfig):
    name = "wanjia.patrol"
    label = "patrol"
    verbose_name = _("夜间巡逻")
