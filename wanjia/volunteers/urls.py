from django.urls import path

from .views import console, h5, hours, tasks
from .views import print as print_views

urlpatterns = [
    path("console/volunteers/", console.home, name="volunteers_home"),
    path("console/volunteers/c/<int:compound_id>/", console.people, name="volunteers_people"),
    path("console/volunteers/c/<int:compound_id>/teams/", console.teams, name="volunteers_teams"),
    path("console/volunteers/c/<int:compound_id>/tasks/", tasks.tasks, name="volunteers_tasks"),
    path("console/volunteers/c/<int:compound_id>/hours/", hours.ledger, name="volunteers_ledger"),
    path(
        "console/volunteers/c/<int:compound_id>/thanks/", console.thanks, name="volunteers_thanks"
    ),
    path("console/volunteers/v/<int:pk>/", console.volunteer_detail, name="volunteers_volunteer"),
    path("console/volunteers/v/<int:pk>/decide/", console.decide, name="volunteers_decide"),
    path(
        "console/volunteers/v/<int:pk>/certificate/",
        console.volunteer_certificate,
        name="volunteers_volunteer_certificate",
    ),
    path("console/volunteers/teams/<int:pk>/", console.team_edit, name="volunteers_team_edit"),
    path("console/volunteers/tasks/<int:pk>/", tasks.task_detail, name="volunteers_task"),
    path(
        "console/volunteers/tasks/<int:pk>/cancel/",
        tasks.task_cancel,
        name="volunteers_task_cancel",
    ),
    path("console/volunteers/signups/<int:pk>/confirm/", tasks.confirm, name="volunteers_confirm"),
    path(
        "console/volunteers/thanks/<int:pk>/",
        console.thanks_moderate,
        name="volunteers_thanks_moderate",
    ),
    path("h5/volunteers/", h5.hub, name="volunteers_h5"),
    path("h5/volunteers/apply/", h5.apply, name="volunteers_h5_apply"),
    path("h5/volunteers/tasks/", h5.tasks, name="volunteers_h5_tasks"),
    path("h5/volunteers/tasks/<int:pk>/signup/", h5.task_signup, name="volunteers_h5_signup"),
    path("h5/volunteers/mine/", h5.mine, name="volunteers_h5_mine"),
    path("h5/volunteers/signups/<int:pk>/withdraw/", h5.withdraw, name="volunteers_h5_withdraw"),
    path("h5/volunteers/signups/<int:pk>/check-in/", h5.check_in, name="volunteers_h5_checkin"),
    path("h5/volunteers/signups/<int:pk>/check-out/", h5.check_out, name="volunteers_h5_checkout"),
    path("h5/volunteers/hours/", h5.hours, name="volunteers_h5_hours"),
    path(
        "h5/volunteers/v/<int:pk>/certificate/",
        h5.certificate_new,
        name="volunteers_h5_certificate_new",
    ),
    path("h5/thanks/", h5.wall, name="volunteers_h5_wall"),
    path(
        "volunteers/certificates/<int:pk>/", print_views.certificate, name="volunteers_certificate"
    ),
    # public: the certificate's QR code opens it (the token is in the query)
    path("verify/volunteer/", print_views.verify, name="volunteers_verify"),
]
