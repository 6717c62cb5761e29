from django.urls import path

from . import views

urlpatterns = [
    path("gov/supervision/", views.kpi_page, name="supervision_kpis"),
    path("gov/supervision/ranking/", views.ranking, name="supervision_ranking"),
    path("console/supervision/", views.my_kpis, name="supervision_mine"),
]
