"""Checklist templates per kind of event: what every affected compound does.
Codes are stored; labels are translated when shown."""

from django.utils.translation import gettext_lazy as _

TEMPLATES = {
    "flood": [
        ("basements", _("地下室、车库已排查")),
        ("pumps", _("抽水泵已试机")),
        ("sandbags", _("沙袋已就位")),
        ("vulnerable_moved", _("底楼困难群众已转移")),
        ("power_rooms", _("配电房已防护")),
    ],
    "epidemic": [
        ("gate_duty", _("门岗值守已落实")),
        ("contactless_supply", _("无接触配送已启用")),
        ("disinfection", _("消杀巡查已完成")),
        ("isolation_care", _("居家隔离人员已照看")),
    ],
    "typhoon": [
        ("windows", _("高空坠物、门窗已加固")),
        ("basements", _("地下室、车库已排查")),
        ("pumps", _("抽水泵已试机")),
        ("vulnerable_moved", _("底楼困难群众已转移")),
    ],
    "fire": [
        ("fire_lanes", _("消防通道已清理")),
        ("extinguishers", _("灭火器、消火栓已检查")),
        ("evacuation", _("疏散通知已发到每栋楼")),
    ],
    "other": [
        ("duty_posted", _("值班表已公布")),
        ("residents_told", _("已通知全体居民")),
    ],
}

LABELS = {code: label for items in TEMPLATES.values() for code, label in items}


def label_of(code: str) -> str:
    return str(LABELS.get(code, code))
