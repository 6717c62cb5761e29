from django.urls import path

from . import pages, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("elder/", views.elder_toggle, name="elder_toggle"),
    path("console/", pages.console_home, name="console_home"),
    path("h5/", pages.h5_home, name="h5_home"),
    path("h5/services/", pages.h5_services, name="h5_services"),
    path("h5/me/", pages.h5_me, name="h5_me"),
    path("gov/", pages.gov_home, name="gov_home"),
    path("inbox/", pages.inbox, name="inbox"),
]
