from django.urls import path

from . import views

urlpatterns = [
    path("console/party/", views.home, name="party_home"),
    path("console/party/branches/new/", views.branch_new, name="party_branch_new"),
    path("console/party/coverage/", views.coverage, name="party_coverage"),
    path("console/party/coverage/assign/", views.coverage_assign, name="party_assign"),
    path(
        "console/party/responsibilities/<int:pk>/remove/",
        views.responsibility_remove,
        name="party_responsibility_remove",
    ),
    path("console/party/members/", views.members, name="party_members"),
    path("console/party/members/add/", views.member_add, name="party_member_add"),
    path("console/party/members/<int:pk>/", views.member_edit, name="party_member_edit"),
    path("console/party/teams/", views.teams, name="party_teams"),
    path("console/party/teams/new/", views.team_new, name="party_team_new"),
    path("console/party/teams/<int:pk>/members/", views.team_member_add, name="party_team_join"),
    path("console/party/activities/", views.activities, name="party_activities"),
    path("console/party/activities/new/", views.activity_new, name="party_activity_new"),
    path("console/party/activities/<int:pk>/", views.activity_detail, name="party_activity"),
    path(
        "console/party/activities/<int:pk>/attendance/",
        views.attendance_save,
        name="party_attendance",
    ),
]
