"""What the exemplary area registers when the app is ready (called by SupervisionConfig.ready)."""

from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def _note() -> str:
    from . import services

    return gettext(
        "期间内经监管部门审核入选的先进典型，每件加 %(points)s 分"
        "（设置 WANJIA_EXEMPLARY_POINTS，默认 5 分），按入选日期计入推荐小区所属企业。"
    ) % {"points": f"{services.points():g}"}


def ready() -> None:
    from wanjia.core import conduct
    from wanjia.core.audit import describe_actions
    from wanjia.core.nav import console_nav_link
    from wanjia.core.roles import Role

    from . import access, services

    describe_actions(
        {
            "supervision.exemplary.nominated": _("推荐先进典型"),
            "supervision.exemplary.resubmitted": _("补充后重新提交先进典型推荐"),
            "supervision.exemplary.returned": _("退回先进典型推荐"),
            "supervision.exemplary.rejected": _("先进典型不予入选"),
            "supervision.exemplary.selected": _("先进典型入选"),
            "supervision.exemplary.published": _("公开发布先进典型"),
            "supervision.exemplary.unpublished": _("撤下先进典型"),
            "supervision.exemplary.exported": _("导出先进典型"),
        }
    )
    console_nav_link(
        _("先进典型"),
        "exemplary_review",
        roles={Role.REGULATOR},
        order=60,
        icon="heart",
        bar="gov",
        allowed=access.reviews_anywhere,
    )
    console_nav_link(
        _("先进典型推荐"),
        "exemplary_mine",
        roles=access.NOMINATORS,
        order=60,
        group="govern",
        icon="heart",
        allowed=access.nominates_anywhere,
    )
    conduct.register(
        "supervision",
        services.RULE,
        _("先进典型入选"),
        kind=conduct.GOOD,
        note=lazy(_note, str)(),
        collect=services.selected_evidence,
        order=10,
    )
