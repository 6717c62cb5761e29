from django.urls import path

from . import views

urlpatterns = [
    path("gov/credit/", views.companies, name="supervision_credit"),
    path("gov/credit/records/new/", views.record_new, name="supervision_record_new"),
    path("gov/credit/rescore/", views.rescore, name="supervision_rescore"),
    path("credit/companies/<int:pk>/", views.company, name="supervision_company"),
    path("credit/records/<int:pk>/", views.record, name="supervision_record"),
    path("console/credit/", views.mine, name="supervision_credit_mine"),
]
