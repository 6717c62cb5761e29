from django.urls import path

from .views import console, h5

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
    path("h5/care/", h5.today, name="care_h5_today"),
    path("h5/care/visits/<int:pk>/", h5.visit, name="care_h5_visit"),
    path("h5/care/visits/<int:pk>/outcome/", h5.outcome, name="care_h5_outcome"),
    path("h5/care/visits/<int:pk>/reveal/<int:n>/", h5.reveal, name="care_h5_reveal"),
]
