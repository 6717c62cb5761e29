from django.urls import path

from .views import console, h5
from .views import evidence as evidence_views
from .views import outposts as outpost_views
from .views import roster as roster_views
from .views import teams as team_views

urlpatterns = [
    path("console/patrol/", console.home, name="patrol_home"),
    path("console/patrol/c/<int:compound_id>/", console.board, name="patrol_board"),
    path(
        "console/patrol/c/<int:compound_id>/checkpoints/",
        console.checkpoints,
        name="patrol_checkpoints",
    ),
    path("console/patrol/c/<int:compound_id>/routes/", console.routes, name="patrol_routes"),
    path("console/patrol/c/<int:compound_id>/qr/", console.qr_sheet, name="patrol_qr_sheet"),
    path("console/patrol/checkpoints/<int:pk>/", console.checkpoint_edit, name="patrol_checkpoint"),
    path(
        "console/patrol/checkpoints/<int:pk>/retire/",
        console.checkpoint_retire,
        name="patrol_checkpoint_retire",
    ),
    path("console/patrol/runs/<int:pk>/", console.run_detail, name="patrol_run"),
    path(
        "console/patrol/incidents/<int:pk>/to-case/",
        console.incident_to_case,
        name="patrol_incident_to_case",
    ),
    path(
        "console/patrol/incidents/<int:pk>/to-ticket/",
        console.incident_to_ticket,
        name="patrol_incident_to_ticket",
    ),
    path("h5/patrol/", h5.tonight, name="patrol_h5_round"),
    path("h5/patrol/scan/", h5.scan, name="patrol_scan"),
    path("h5/patrol/incident/", h5.incident_new, name="patrol_h5_incident"),
    # rosters (views/roster.py)
    path("console/patrol/c/<int:compound_id>/roster/", roster_views.roster, name="patrol_roster"),
    path(
        "console/patrol/c/<int:compound_id>/roster/build/",
        roster_views.build,
        name="patrol_roster_build",
    ),
    path(
        "console/patrol/c/<int:compound_id>/roster/cell/",
        roster_views.cell,
        name="patrol_roster_cell",
    ),
    path(
        "console/patrol/c/<int:compound_id>/roster/print/",
        roster_views.print_view,
        name="patrol_roster_print",
    ),
    path(
        "console/patrol/c/<int:compound_id>/roster.xlsx",
        roster_views.xlsx,
        name="patrol_roster_xlsx",
    ),
    path("console/patrol/roster-jobs/<int:pk>/", roster_views.job_part, name="patrol_roster_job"),
    path(
        "console/patrol/c/<int:compound_id>/roster/leave/",
        roster_views.leave_add,
        name="patrol_leave_add",
    ),
    path(
        "console/patrol/leave/<int:pk>/remove/",
        roster_views.leave_remove,
        name="patrol_leave_remove",
    ),
    path(
        "console/patrol/c/<int:compound_id>/roster/wish/",
        roster_views.wish_add,
        name="patrol_wish_add",
    ),
    path(
        "console/patrol/wish/<int:pk>/remove/",
        roster_views.wish_remove,
        name="patrol_wish_remove",
    ),
    # outposts, the night timeline and the monthly evidence report
    path(
        "console/patrol/c/<int:compound_id>/outposts/",
        outpost_views.outposts,
        name="patrol_outposts",
    ),
    path("console/patrol/outposts/<int:pk>/", outpost_views.outpost_edit, name="patrol_outpost"),
    path(
        "console/patrol/outposts/<int:pk>/retire/",
        outpost_views.outpost_retire,
        name="patrol_outpost_retire",
    ),
    path(
        "console/patrol/outposts/<int:pk>/shifts/",
        outpost_views.outpost_shifts,
        name="patrol_outpost_shifts",
    ),
    path(
        "console/patrol/outpost-shifts/<int:pk>/remove/",
        outpost_views.outpost_shift_remove,
        name="patrol_outpost_shift_remove",
    ),
    path(
        "console/patrol/c/<int:compound_id>/timeline/",
        outpost_views.timeline,
        name="patrol_timeline",
    ),
    path(
        "console/patrol/c/<int:compound_id>/evidence/",
        evidence_views.report,
        name="patrol_evidence",
    ),
    path(
        "console/patrol/c/<int:compound_id>/evidence.xlsx",
        evidence_views.report_xlsx,
        name="patrol_evidence_xlsx",
    ),
    # teams (views/teams.py)
    path("console/patrol/c/<int:compound_id>/teams/", team_views.teams, name="patrol_teams"),
    path(
        "console/patrol/c/<int:compound_id>/teams/new/",
        team_views.team_create,
        name="patrol_team_create",
    ),
    path("console/patrol/teams/<int:pk>/", team_views.team_edit, name="patrol_team_edit"),
    path(
        "console/patrol/teams/<int:pk>/members/",
        team_views.member_add,
        name="patrol_team_member_add",
    ),
    path(
        "console/patrol/team-members/<int:pk>/remove/",
        team_views.member_remove,
        name="patrol_team_member_remove",
    ),
]
