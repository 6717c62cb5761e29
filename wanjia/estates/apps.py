from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstatesConfig(AppConfig):
    name = "wanjia.estates"
    label = "estates"
    verbose_name = _("小区档案")
