"""What the credit area registers when the app is ready (called by SupervisionConfig.ready):
its good-conduct rule (awards the authority records), its menu entries in the
regulator's and the company's shells, its audit phrases and its daily job."""

from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from wanjia.core import conduct
    from wanjia.core.audit import describe_actions
    from wanjia.core.nav import console_nav_link
    from wanjia.core.roles import Role

    from . import access, services, tasks  # noqa: F401  (tasks: the daily job)

    conduct.register(
        "supervision",
        services.AWARD_RULE,
        _("表彰与嘉奖"),
        kind=conduct.GOOD,
        note=_("监管部门录入的企业表彰、嘉奖，每项按录入的分值加分（未填按设置，默认5分）。"),
        collect=services.award_evidence,
        order=10,
    )
    describe_actions(services.AUDIT_PHRASES)
    console_nav_link(
        _("企业信用"),
        "credit_companies",
        roles={Role.REGULATOR},
        order=30,
        icon="check",
        allowed=access.is_regulator,
        bar="gov",
        group="credit",
    )
    console_nav_link(
        _("信用异议"),
        "credit_objections",
        roles={Role.REGULATOR},
        order=31,
        icon="audit",
        allowed=access.is_regulator,
        bar="gov",
        group="credit",
    )
    console_nav_link(
        _("本企业信用"),
        "credit_mine",
        roles={Role.COMPANY_ADMIN},
        order=80,
        icon="check",
        allowed=access.can_object,
        group="rate",
    )
