"""Excel import/export pages and the job progress page (shared by every module)."""

from django.urls import path

from wanjia.core.jobs import job_status

from . import views_io

urlpatterns = [
    path(
        "console/compounds/<int:compound_id>/import/",
        views_io.import_page,
        name="estates_import",
    ),
    path(
        "console/compounds/<int:compound_id>/import/template.xlsx",
        views_io.import_template,
        name="estates_import_template",
    ),
    path(
        "console/compounds/<int:compound_id>/export/",
        views_io.export_page,
        name="estates_export",
    ),
    path("jobs/<int:job_id>/", job_status, name="job_status"),
]
