from django.urls import path

from . import pages, views

urlpatterns = [
    # the shells' registry pages (see pages.py)
    path("h5/", pages.h5_home, name="h5_home"),
    path("h5/me/", pages.h5_me, name="h5_me"),
    path("h5/households/<int:pk>/", pages.h5_household, name="h5_household"),
    path("gov/", pages.gov_home, name="gov_home"),
    path("console/compounds/", views.compound_list, name="compound_list"),
    path("console/compounds/<int:pk>/", views.compound_detail, name="compound_detail"),
    path("console/compounds/<int:pk>/staff/", views.compound_staff, name="compound_staff"),
    path("console/buildings/<int:pk>/", views.building_detail, name="building_detail"),
    path("console/households/<int:pk>/", views.household_detail, name="household_detail"),
    path("console/households/<int:pk>/residents/new/", views.resident_new, name="resident_new"),
    path("console/residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path(
        "console/residents/<int:pk>/reveal/<str:field>/",
        views.resident_reveal,
        name="resident_reveal",
    ),
    # the resident finder is a page of the console search now (core.search)
    path("console/search/", views.resident_search_moved, name="resident_search"),
]
