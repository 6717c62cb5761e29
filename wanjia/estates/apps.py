from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EstatesConfig(AppConfig):
    name = "wanjia.estates"
    label = "estates"
    verbose_name = _("小区档案")

    def ready(self):
        from wanjia.core import search as kernel_search

        from . import search, views

        kernel_search.register(
            "estates", _("居民"), search.residents, order=10, page=views.resident_search
        )
        from wanjia.core.audit import describe_actions

        describe_actions(
            {
                "estates.export.created": _("导出居民名册"),
                "estates.export.unmasked": _("导出未遮蔽的居民名册"),
                "estates.household.created": _("新增住户"),
                "estates.import.completed": _("导入居民名册"),
                "estates.region.created": _("新增行政区域"),
                "estates.resident.created": _("新增居民"),
                "estates.resident.updated": _("修改居民信息"),
                "estates.resident.revealed_phone": _("查看完整手机号"),
                "estates.resident.revealed_id_number": _("查看完整身份证号"),
                "estates.resident.searched": _("按个人证件信息查找居民"),
                "estates.staff.created": _("新增员工"),
            }
        )
        from wanjia.core.nav import console_nav_link
        from wanjia.core.roles import STAFF_SIDE, Role

        from . import today  # noqa: F401  registers the registry's today cards

        _forget_tallies_on_change()

        console_nav_link(
            pgettext_lazy("复数", "小区"),
            "compound_list",
            roles=STAFF_SIDE | {Role.REGULATOR},
            order=10,
            group="community",
            icon="building",
        )
        console_nav_link(_("监管首页"), "gov_home", roles={Role.REGULATOR}, order=80, icon="chart")


def _forget_tallies_on_change() -> None:
    """A saved or deleted building, household, resident or staff member drops
    its compound's stored registry counts (``models.RegistryTally``) inside the
    same transaction. Queryset ``update()`` and bulk inserts send no signals:
    their callers forget the tally themselves (the importer) or change nothing
    that is counted; a staff member moved to another compound leaves the old
    compound's count until the nightly recount."""
    from django.db.models.signals import post_delete, post_save

    from wanjia.core.models import Building

    from .figures import tally_forget
    from .models import Household, Resident, StaffMember

    def forget(sender, instance, **kwargs):
        tally_forget(instance.compound_id)

    for model in (Building, Household, Resident, StaffMember):
        uid = f"estates.tally.{model._meta.label_lower}"
        post_save.connect(forget, sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(forget, sender=model, weak=False, dispatch_uid=uid)
