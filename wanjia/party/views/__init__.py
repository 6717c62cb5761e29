"""Console pages of the party layer: a compound's figures, the coverage view
(党员联户), members, vanguard/shock teams and activities with attendance.

Each page is for one compound (``?compound=``, the first one in scope by
default). Forms post back to the page: success redirects with a message,
a bad field re-renders the page (422) with the message beside the field.

One module per section (overview and coverage, members, teams, activities);
this package exports the views the URLs name."""

from ..selectors import party_compounds
from .activities import (
    activities,
    activity_detail,
    activity_new,
    attendance_save,
)
from .members import (
    member_add,
    member_edit,
    members,
)
from .overview import (
    branch_new,
    coverage,
    coverage_assign,
    home,
    responsibility_remove,
)
from .teams import (
    team_member_add,
    team_new,
    teams,
)

__all__ = [
    "activities",
    "activity_detail",
    "activity_new",
    "attendance_save",
    "branch_new",
    "coverage",
    "coverage_assign",
    "home",
    "member_add",
    "member_edit",
    "members",
    "party_compounds",
    "responsibility_remove",
    "team_member_add",
    "team_new",
    "teams",
]
