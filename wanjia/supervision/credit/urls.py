from django.urls import path

from . import views

urlpatterns = [
    path("gov/credit/", views.companies, name="credit_companies"),
    path("gov/credit/companies/<int:company_id>/", views.company, name="credit_company"),
    path("gov/credit/settings/", views.settings_page, name="credit_settings"),
    path("gov/credit/awards/", views.awards, name="credit_awards"),
    path("credit/awards/<int:pk>/", views.award, name="credit_award"),
    path("credit/objections/", views.objections, name="credit_objections"),
    path("credit/objections/<int:pk>/", views.objection, name="credit_objection"),
    path("credit/objections/<int:pk>/file/", views.objection_file, name="credit_objection_file"),
    path("credit/items/<int:item_id>/object/", views.objection_new, name="credit_objection_new"),
    path("credit/export/<str:kind>.xlsx", views.export, name="credit_export"),
    path("credit/print/<str:kind>/", views.print_page, name="credit_print"),
    path("console/credit/", views.mine, name="credit_mine"),
]
