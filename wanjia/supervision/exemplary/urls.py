from django.urls import path

from . import views

urlpatterns = [
    path("console/exemplary/", views.mine, name="exemplary_mine"),
    path("console/exemplary/new/", views.new, name="exemplary_new"),
    path("console/exemplary/<int:pk>/", views.mine_case, name="exemplary_mine_case"),
    path("console/exemplary/<int:pk>/print/", views.print_case, name="exemplary_print"),
    path("console/exemplary/photos/<int:pk>/", views.photo, name="exemplary_photo"),
    path("gov/exemplary/", views.review_list, name="exemplary_review"),
    path("gov/exemplary/export/", views.export, name="exemplary_export"),
    path("gov/exemplary/<int:pk>/", views.case, name="exemplary_case"),
    path("gov/exemplary/<int:pk>/review/", views.decide, name="exemplary_decide"),
    path("gov/exemplary/<int:pk>/publish/", views.publish, name="exemplary_publish"),
    path("exemplary/", views.public_list, name="exemplary_public"),
    path("exemplary/<int:pk>/", views.public_case, name="exemplary_public_case"),
    path("exemplary/photos/<int:pk>/", views.public_photo, name="exemplary_public_photo"),
]
