from django.urls import path

from .views import console, duty, followups, h5

urlpatterns = [
    path("console/care/", console.home, name="care_home"),
    path("console/care/c/<int:compound_id>/", console.people, name="care_people"),
    path("console/care/c/<int:compound_id>/today/", console.day, name="care_day"),
    path(
        "console/care/c/<int:compound_id>/escalations/",
        console.escalations,
        name="care_escalations",
    ),
    path("console/care/c/<int:compound_id>/settings/", console.chain, name="care_settings"),
    path("console/care/people/<int:pk>/", console.person_edit, name="care_person"),
    path(
        "console/care/people/<int:pk>/absence/",
        console.absence_new,
        name="care_absence",
    ),
    path(
        "console/care/escalations/<int:pk>/ack/",
        console.escalation_ack,
        name="care_escalation_ack",
    ),
    path(
        "console/care/escalations/<int:pk>/resolve/",
        console.escalation_resolve,
        name="care_escalation_resolve",
    ),
    path("console/care/c/<int:compound_id>/duty/", duty.roster, name="care_duty"),
    path("console/care/c/<int:compound_id>/duty/build/", duty.build, name="care_duty_build"),
    path("console/care/c/<int:compound_id>/duty/cell/", duty.cell, name="care_duty_cell"),
    path("console/care/c/<int:compound_id>/duty/leave/", duty.leave_add, name="care_duty_leave"),
    path("console/care/c/<int:compound_id>/duty/team/", duty.team, name="care_duty_team"),
    path("console/care/c/<int:compound_id>/duty/print/", duty.print_view, name="care_duty_print"),
    path("console/care/c/<int:compound_id>/duty/xlsx/", duty.xlsx, name="care_duty_xlsx"),
    path("console/care/c/<int:compound_id>/board/", duty.board, name="care_duty_board"),
    path(
        "console/care/c/<int:compound_id>/handover/",
        duty.handover_new,
        name="care_handover_new",
    ),
    path("console/care/duty-jobs/<int:pk>/", duty.job_part, name="care_duty_job"),
    path(
        "console/care/duty-leave/<int:pk>/remove/",
        duty.leave_remove,
        name="care_duty_leave_remove",
    ),
    path("console/care/duty-shifts/<int:pk>/reveal/", duty.reveal, name="care_duty_reveal"),
    path("console/care/handovers/<int:pk>/ack/", duty.handover_ack, name="care_handover_ack"),
    path(
        "console/care/c/<int:compound_id>/followups/",
        followups.followups,
        name="care_followups",
    ),
    path(
        "console/care/followups/<int:pk>/close/",
        followups.followup_close,
        name="care_followup_close",
    ),
    path(
        "console/care/followups/<int:pk>/owner/",
        followups.followup_owner,
        name="care_followup_owner",
    ),
    path(
        "console/care/c/<int:compound_id>/caretakers/",
        followups.caretakers,
        name="care_caretakers",
    ),
    path(
        "console/care/c/<int:compound_id>/caretakers/xlsx/",
        followups.caretakers_xlsx,
        name="care_caretakers_xlsx",
    ),
    path("h5/care/duty/", duty.h5_duty, name="care_h5_duty"),
    path("h5/care/", h5.today, name="care_h5_today"),
    path("h5/care/visits/<int:pk>/", h5.visit, name="care_h5_visit"),
    path("h5/care/visits/<int:pk>/outcome/", h5.outcome, name="care_h5_outcome"),
    path("h5/care/visits/<int:pk>/reveal/<int:n>/", h5.reveal, name="care_h5_reveal"),
]
