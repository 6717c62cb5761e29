from django.urls import path

from . import views

urlpatterns = [
    path("gov/inspections/", views.inspections, name="sup_inspections"),
    path("gov/inspections/checklists/", views.templates, name="sup_templates"),
    path("inspections/<int:pk>/", views.inspection, name="sup_inspection"),
    path("inspections/<int:pk>/print/", views.inspection_print, name="sup_inspection_print"),
    path("gov/inspections/<int:pk>/start/", views.inspection_start, name="sup_inspection_start"),
    path(
        "gov/inspections/<int:pk>/items/<int:result_pk>/",
        views.inspection_result,
        name="sup_inspection_result",
    ),
    path("gov/inspections/<int:pk>/findings/", views.finding_add, name="sup_finding_add"),
    path("gov/inspections/<int:pk>/finish/", views.inspection_finish, name="sup_inspection_finish"),
    path("gov/findings/<int:pk>/rectify/", views.rect_issue, name="sup_rect_issue"),
    path("inspections/photos/<int:pk>/", views.finding_photo, name="sup_finding_photo"),
    path("rectifications/photos/<int:pk>/", views.evidence_photo, name="sup_evidence_photo"),
    path("gov/rectifications/", views.rects, name="sup_rects"),
    path("rectifications/", views.my_rects, name="sup_my_rects"),
    path("rectifications/<int:pk>/", views.rect_detail, name="sup_rect_detail"),
    path("rectifications/<int:pk>/evidence/", views.rect_evidence, name="sup_rect_evidence"),
    path("gov/rectifications/<int:pk>/decide/", views.rect_decide, name="sup_rect_decide"),
    path("gov/notices/", views.notices, name="sup_notices"),
    path("gov/notices/<int:pk>/", views.notice, name="sup_notice"),
    path("notices/<int:pk>/file/", views.notice_file, name="sup_notice_file"),
    path("notices/", views.inbox, name="sup_inbox"),
    path("notices/receipts/<int:pk>/", views.receipt, name="sup_receipt"),
    path("notices/receipts/<int:pk>/reply/", views.receipt_reply, name="sup_receipt_reply"),
    path("notices/receipts/<int:pk>/file/", views.reply_file, name="sup_reply_file"),
]
