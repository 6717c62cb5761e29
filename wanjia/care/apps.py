from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "wanjia.care"
    label = "care"
    verbose_name = _("关爱探访")
