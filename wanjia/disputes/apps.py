from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "wanjia.disputes"
    label = "disputes"
    verbose_name = _("矛盾纠纷")
