from django.urls import path

from . import health, inbox, pages, search, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("elder/", views.elder_toggle, name="elder_toggle"),
    path("console/", pages.console_home, name="console_home"),
    path("console/audit/", pages.audit_log, name="audit_log"),
    path("console/access/", pages.access_table, name="access_table"),
    path("console/find/", search.search_page, name="console_search"),
    path("console/find/<slug:key>/", search.provider_page, name="console_search_in"),
    path("h5/services/", pages.h5_services, name="h5_services"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/read-all/", inbox.mark_all_read, name="inbox_read_all"),
    path("inbox/<int:pk>/read/", inbox.mark_read, name="inbox_read"),
    path("inbox/<int:pk>/open/", inbox.open_notification, name="inbox_open"),
]
