from django.urls import path

from . import views

urlpatterns = [path("gov/wall/", views.wall, name="supervision_wall")]
