"""Credit's rules (the authority's own records), menu entries and audit words."""

from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from wanjia.core import conduct
    from wanjia.core.audit import describe_actions
    from wanjia.core.nav import console_nav_link
    from wanjia.core.roles import Role

    from . import access, tasks  # noqa: F401  tasks: the daily job
    from .models import RecordKind
    from .services import GOOD_RECORD_KINDS, records_evidence

    describe_actions(
        {
            "supervision.record.added": _("登记企业信用记录"),
            "supervision.record.withdrawn": _("撤销企业信用记录"),
        }
    )
    conduct.register(
        "supervision",
        "supervision.commendation",
        _("获奖与通报表扬"),
        kind=conduct.GOOD,
        note=_("评分期内住建部门登记的获奖、通报表扬，按登记分值加分。"),
        collect=records_evidence(GOOD_RECORD_KINDS, "supervision.commendation"),
        order=5,
    )
    conduct.register(
        "supervision",
        "supervision.violation",
        _("违规行为"),
        kind=conduct.BAD,
        note=_("评分期内住建部门登记的违规行为，按登记分值扣分。"),
        collect=records_evidence((RecordKind.VIOLATION,), "supervision.violation"),
        order=50,
    )
    conduct.register(
        "supervision",
        "supervision.serious",
        _("严重失信行为"),
        kind=conduct.BAD,
        note=_("评分期内住建部门登记的严重失信行为，按登记分值扣分，并直接列入黑名单。"),
        collect=records_evidence((RecordKind.SERIOUS,), "supervision.serious"),
        serious=True,
        order=51,
    )
    console_nav_link(
        _("企业信用"),
        "supervision_credit",
        roles={Role.REGULATOR},
        order=62,
        icon="audit",
        allowed=access.reads_any,
        bar="gov",
    )
    console_nav_link(
        _("企业信用"),
        "supervision_credit_mine",
        roles={Role.COMPANY_ADMIN},
        order=96,
        icon="audit",
        group="rate",
        allowed=access.reads_any,
    )
