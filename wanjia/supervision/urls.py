from django.urls import include, path

urlpatterns = [
    path("", include("wanjia.supervision.rollups.urls")),
    path("", include("wanjia.supervision.credit.urls")),
    path("", include("wanjia.supervision.inspections.urls")),
    path("", include("wanjia.supervision.exemplary.urls")),
    path("", include("wanjia.supervision.wall.urls")),
]
