from django.urls import path

from . import views, views_h5

urlpatterns = [
    path("console/disputes/", views.board, name="disputes_home"),
    path("console/disputes/mine/", views.mine, name="disputes_mine"),
    path("console/disputes/new/", views.case_new, name="disputes_new"),
    path("console/disputes/households/", views.household_options, name="disputes_households"),
    path("console/disputes/sweeps/", views.sweeps, name="disputes_sweeps"),
    path("console/disputes/sweeps/plan/", views.sweeps_plan, name="disputes_sweeps_plan"),
    path("console/disputes/sweeps/<int:pk>/done/", views.sweep_done, name="disputes_sweep_done"),
    path("console/disputes/figures/", views.figures, name="disputes_figures"),
    path("console/disputes/settings/", views.policy, name="disputes_policy"),
    path("console/disputes/<int:pk>/", views.case_detail, name="disputes_case"),
    path("console/disputes/<int:pk>/escalate/", views.case_escalate, name="disputes_escalate"),
    path("console/disputes/<int:pk>/session/", views.case_session, name="disputes_session"),
    path("console/disputes/<int:pk>/resolve/", views.case_resolve, name="disputes_resolve"),
    path("console/disputes/<int:pk>/followup/", views.case_followup, name="disputes_followup"),
    path("console/disputes/<int:pk>/rate/", views.case_rate, name="disputes_rate"),
    path("console/disputes/<int:pk>/reopen/", views.case_reopen, name="disputes_reopen"),
    path("console/disputes/<int:pk>/agreement/", views.case_agreement, name="disputes_agreement"),
    path("h5/disputes/", views_h5.my_cases, name="disputes_h5_list"),
    path("h5/disputes/report/", views_h5.report, name="disputes_h5_report"),
    path("h5/disputes/<int:pk>/", views_h5.case_detail, name="disputes_h5_case"),
    path("h5/disputes/<int:pk>/rate/", views_h5.rate, name="disputes_h5_rate"),
    path("h5/disputes/<int:pk>/reopen/", views_h5.reopen, name="disputes_h5_reopen"),
]
