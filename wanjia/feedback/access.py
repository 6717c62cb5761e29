"""Who may do what with satisfaction: a resident rates their household's
finished services and answers surveys; the compound's managers and staff work
the unhappy loop (return call, fix); the company's managers appeal a rating
they think unjust and run surveys; the regulator sees every step and decides
appeals. Nobody reads who answered a survey."""

from django.utils.translation import gettext_lazy as _

from wanjia.core.access import declare
from wanjia.core.roles import Role
from wanjia.core.scoping import can, can_anywhere

R = Role
RATE = declare("feedback", "feedback.rate", _("评价本户办过的事、参加满意度调查"), {R.RESIDENT})
VIEW = declare(
    "feedback",
    "feedback.view",
    _("查看服务评价、差评整改与满意度指数"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.PARTY_SECRETARY, R.STAFF, R.REGULATOR},
)
HANDLE = declare(
    "feedback",
    "feedback.handle",
    _("差评回访与整改"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.STAFF},
)
APPEAL = declare(
    "feedback",
    "feedback.appeal",
    _("对不公正的评价提出申诉"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER},
)
SURVEY = declare(
    "feedback",
    "feedback.survey",
    _("发起满意度调查、查看汇总结果"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER},
)
DECIDE = declare("feedback", "feedback.decide", _("裁定评价申诉"), {R.REGULATOR})


def can_view(user, compound) -> bool:
    return can(user, "feedback.view", compound=compound)


def can_handle(user, compound) -> bool:
    return can(user, "feedback.handle", compound=compound)


def can_appeal(user, compound) -> bool:
    return can(user, "feedback.appeal", compound=compound)


def can_survey(user, compound) -> bool:
    return can(user, "feedback.survey", compound=compound)


def can_decide(user, compound) -> bool:
    return can(user, "feedback.decide", compound=compound)


def views_anywhere(user) -> bool:
    return can_anywhere(user, "feedback.view")


def handles_anywhere(user) -> bool:
    return can_anywhere(user, "feedback.handle")


def surveys_anywhere(user) -> bool:
    return can_anywhere(user, "feedback.survey")


def decides_anywhere(user) -> bool:
    return can_anywhere(user, "feedback.decide")


def rates_anywhere(user) -> bool:
    return can_anywhere(user, "feedback.rate")
