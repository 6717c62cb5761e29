from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "wanjia.care"
    label = "care"
    verbose_name = _("关爱探访")

    def ready(self):
        from django.conf import settings

        from wanjia.core import figures, rateables, retention
        from wanjia.core.audit import describe_actions
        from wanjia.core.nav import console_nav_link
        from wanjia.core.roles import CAPABILITIES

        from . import access, selectors, tasks, today  # noqa: F401  tasks, today: jobs and cards
        from .rateable import find_visit, recent_visits
        from .services import duty

        duty.ready()
        # A visit a day for every person on the list: a city's second-largest
        # event table. Past retention the routine ones are archived
        # (core.retention); a visit that opened an escalation or a follow-up
        # stays with its case (deleting it would cascade to them).
        retention.register(
            "care.visits",
            "care.Visit",
            field="due_by",
            months=lambda: settings.EVENT_RETENTION_MONTHS,
            note="WANJIA_EVENT_RETENTION_MONTHS",
            only=lambda visits: visits.filter(escalation__isnull=True, followups__isnull=True),
        )
        rateables.register("care_visit", _("关爱探访"), find=find_visit, recent=recent_visits)

        describe_actions(
            {
                "care.person.created": _("加入关爱名单"),
                "care.person.updated": _("修改关爱对象"),
                "care.absence.added": _("登记暂停探访"),
                "care.visit.recorded": _("记录探访结果"),
                "care.health.read": _("查看关爱对象健康情况"),
                "care.contact.revealed": _("查看紧急联系人完整手机号"),
                "care.escalation.opened": _("发起关爱升级处置"),
                "care.escalation.stepped": _("关爱升级进入下一步"),
                "care.escalation.acknowledged": _("确认接手关爱升级"),
                "care.escalation.resolved": _("解除关爱升级"),
                "care.settings.set": _("设置关爱升级时限"),
                "care.duty.requested": _("请求生成关爱值班表"),
                "care.duty.built": _("生成关爱值班表"),
                "care.duty.edited": _("手工调整值班"),
                "care.duty.team_set": _("设置值班人员"),
                "care.duty.leave_added": _("登记值班请假"),
                "care.duty.leave_removed": _("撤销值班请假"),
                "care.duty.phone_revealed": _("查看当班人员完整手机号"),
                "care.handover.written": _("写交班记录"),
                "care.handover.acknowledged": _("确认接班"),
                "care.followup.opened": _("发起帮扶跟进"),
                "care.followup.closed": _("办结帮扶跟进"),
                "care.followup.reassigned": _("转交帮扶跟进"),
            }
        )
        console_nav_link(
            _("关爱探访"),
            "care_home",
            roles=CAPABILITIES["care.view"] | CAPABILITIES["care.manage"],
            order=65,
            group="govern",
            icon="heart",
            allowed=access.views_anywhere,
        )
        console_nav_link(
            _("今日探访"),
            "care_h5_today",
            roles=CAPABILITIES["care.visit"],
            order=66,
            group="govern",
            icon="pin",
            allowed=access.visits_anywhere,
        )
        for key, label, note, compute, kind, better, order in (
            (
                "care.on_time",
                _("探访按时完成率"),
                _("期间内已过当日截止时间的探访中，在截止前记录结果的比例。"),
                selectors.on_time,
                figures.RATIO,
                figures.HIGHER,
                65,
            ),
            (
                "care.missed",
                _("漏访次数"),
                _("期间内到当日截止时间仍未记录结果的探访次数。"),
                selectors.missed,
                figures.COUNT,
                figures.LOWER,
                66,
            ),
            (
                "care.escalations",
                _("关爱升级次数"),
                _("期间内因无人应答或逾期未记录而发起的升级处置数。"),
                selectors.escalations_opened,
                figures.COUNT,
                None,
                67,
            ),
            (
                "care.minutes_to_reached",
                _("升级后确认平安用时（中位数）"),
                _("期间内发起的升级处置，从发起到确认本人平安或已送医的分钟数中位数。"),
                selectors.minutes_to_reached,
                figures.MINUTES,
                figures.LOWER,
                68,
            ),
            (
                "care.people_overdue",
                _("逾期未探访人数"),
                _("截至期末，距上次探访已超过其探访频次的在册关爱对象人数（暂停探访的不计）。"),
                selectors.people_overdue,
                figures.COUNT,
                figures.LOWER,
                69,
            ),
        ):
            figures.register(
                "care",
                key,
                label,
                note=note,
                compute=compute,
                kind=kind,
                better=better,
                order=order,
            )
        from wanjia.core import intents

        intents.offer("care.vulnerable_people", vulnerable_people)


def vulnerable_people(compound) -> list[dict]:
    """The people on the compound's care list, for another app's roll call
    ("safe / needs help / unknown"): ``[{"source", "name"}]``."""
    from .models import CarePerson

    return [
        {"source": f"care.person:{pk}", "name": name}
        for pk, name in CarePerson.objects.filter(compound=compound, active=True).values_list(
            "pk", "resident__name"
        )
    ]
