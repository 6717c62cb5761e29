"""What the inspections area registers when the app is ready (called by SupervisionConfig.ready)."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wanjia.core import conduct
from wanjia.core.audit import describe_actions
from wanjia.core.nav import console_nav_link

#: Points an overdue rectification notice costs its company (setting
#: ``SUPERVISION_OVERDUE_RECTIFICATION_POINTS`` overrides).
OVERDUE_POINTS = 3.0


def overdue_points() -> float:
    return float(getattr(settings, "SUPERVISION_OVERDUE_RECTIFICATION_POINTS", OVERDUE_POINTS))


def overdue_evidence(company_ids, start, end) -> list:
    """Each rectification notice of these companies that went overdue in
    [start, end]: one deduction per notice, whatever happens after."""
    from .models import Rectification

    points = overdue_points()
    found = []
    for r in Rectification.objects.filter(
        company_id__in=list(company_ids), overdue_on__gte=start, overdue_on__lte=end
    ).select_related("compound"):
        found.append(
            conduct.Evidence(
                rule="supervision.rectification_overdue",
                ref=f"supervision.rectification:{r.pk}",
                company_id=r.company_id,
                compound_id=r.compound_id,
                points=points,
                label=gettext("整改通知 %(ref)s（%(c)s）逾期未整改，期限 %(d)s")
                % {"ref": r.ref, "c": r.compound.name, "d": r.deadline.isoformat()},
                url=reverse("sup_rect_detail", args=[r.pk]),
                happened_on=r.overdue_on,
            )
        )
    return found


def ready() -> None:
    from . import access, tasks  # noqa: F401  (registers the periodic sweep)

    conduct.register(
        "supervision",
        "supervision.rectification_overdue",
        _("整改通知逾期未整改"),
        kind=conduct.BAD,
        note=_("期间内逾期未完成整改的监督检查整改通知，每份扣 %(n)s 分（逾期只计一次）。")
        % {"n": f"{overdue_points():g}"},
        collect=overdue_evidence,
        order=30,
    )
    gov = access.may_inspect_anywhere
    for label, name, order in (
        (_("监督检查"), "sup_inspections", 40),
        (_("整改通知"), "sup_rects", 41),
        (_("企业通知"), "sup_notices", 42),
    ):
        console_nav_link(label, name, allowed=gov, bar="gov", group="inspect", order=order)
    console_nav_link(
        _("检查整改"),
        "sup_my_rects",
        allowed=access.may_rectify_anywhere,
        order=70,
        group="rate",
        icon="audit",
    )
    console_nav_link(
        _("监管通知"),
        "sup_inbox",
        allowed=lambda u: bool(access.company_ids(u)),
        order=71,
        group="rate",
        icon="inbox",
    )
    describe_actions(
        {
            "supervision.checklist.created": _("新建检查表"),
            "supervision.checklist.edited": _("修改检查表"),
            "supervision.inspection.planned": _("安排监督检查"),
            "supervision.inspection.started": _("开始监督检查"),
            "supervision.inspection.item": _("填写检查项"),
            "supervision.inspection.finished": _("完成监督检查"),
            "supervision.finding.added": _("记录检查问题"),
            "supervision.rectification.issued": _("下发整改通知"),
            "supervision.rectification.submitted": _("提交整改材料"),
            "supervision.rectification.accepted": _("整改验收通过"),
            "supervision.rectification.rejected": _("整改验收不通过"),
            "supervision.rectification.overdue": _("整改通知逾期"),
            "supervision.notice.sent": _("发送企业通知"),
            "supervision.notice.read": _("阅读企业通知"),
            "supervision.notice.replied": _("回复企业通知"),
            "supervision.notice.reminded": _("提醒回复企业通知"),
        }
    )
