"""Who may do what in emergency command.

Command (open and close events, issue the board): the regulator, over the
part of the city its membership covers — the city's officers anywhere, a
district's officers only for their own district. Respond (tick the
checklist, send the daily report, mark the roll call): the compound's
managers, party secretary, staff and the company's admin. Everybody who
responds or commands sees the events that cover their compounds."""

from django.utils.translation import gettext_lazy as _

from wanjia.core.access import declare
from wanjia.core.models import ScopeType
from wanjia.core.roles import CAPABILITIES, Role
from wanjia.core.scoping import can, can_anywhere, memberships_of, roles_for

R = Role
COMMAND = declare("emergency", "emergency.command", _("启动、结束应急事件并指挥"), {R.REGULATOR})
RESPOND = declare(
    "emergency",
    "emergency.respond",
    _("填报应急清单、日报与点名"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.PARTY_SECRETARY, R.STAFF},
)

# the compound's after-action report and its nominations: who runs the compound
AFTER = declare(
    "emergency",
    "emergency.after_action",
    _("撰写复盘报告并推荐先进"),
    {R.COMPANY_ADMIN, R.COMPOUND_MANAGER, R.PARTY_SECRETARY},
)


def command_regions(user) -> list:
    """The regions whose events ``user`` may open and close."""
    return [
        m.region
        for m in memberships_of(user)
        if m.scope_type == ScopeType.REGION and m.role in CAPABILITIES["emergency.command"]
    ]


def covers_region(user, region) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return any(region.path.startswith(r.path) for r in command_regions(user))


def covers_compound(user, compound) -> bool:
    return can(user, "emergency.command", compound=compound)


def can_command_event(user, event) -> bool:
    return covers_region(user, event.owner_region)


def can_respond(user, compound) -> bool:
    return can(user, "emergency.respond", compound=compound)


def supplies_for(user, compound) -> bool:
    """The company's admin marks a compound's request available from stock."""
    return R.COMPANY_ADMIN in roles_for(user, compound=compound)


def commands_anywhere(user) -> bool:
    return can_anywhere(user, "emergency.command")


def responds_anywhere(user) -> bool:
    return can_anywhere(user, "emergency.respond")


def anywhere(user) -> bool:
    return commands_anywhere(user) or responds_anywhere(user)


def can_write_after(user, compound) -> bool:
    return can(user, "emergency.after_action", compound=compound)


def writes_after_anywhere(user) -> bool:
    return can_anywhere(user, "emergency.after_action")
