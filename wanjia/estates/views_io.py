"""Pages for Excel in and out of the registry: the import page (upload, template,
recent jobs) and the export form. Another compound is a 404; a role without the
capability is a 403, before anything is stored or written."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from wanjia.core.auth import client_ip
from wanjia.core.jobs import register_kind
from wanjia.core.scoping import can
from wanjia.core.sheets import ArchiveRefused, check_xlsx_archive

from . import selectors
from .exporter import COLUMNS, residents_export, template_workbook
from .selectors import compounds_visible_to, get_or_404
from .tasks import IMPORT_KIND, import_submit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # a 200,000-row registry is about 15 MB

register_kind(
    IMPORT_KIND,
    title=gettext_lazy("居民信息导入"),
    capability="estates.import",
    result_template="estates/import_result.html",
    back=lambda job: reverse("estates_import", kwargs={"compound_id": job.compound_id}),
)


def _compound(request, compound_id: int, capability: str):
    compound = get_or_404(compounds_visible_to(request.user), pk=compound_id)
    if not can(request.user, capability, compound=compound):
        raise PermissionDenied
    return compound


def _upload_error(upload) -> str:
    """Why an upload cannot be an import file, checked before it is stored."""
    if upload is None:
        return _("请选择要上传的 Excel 文件。")
    if upload.size == 0:
        return _("文件是空的，请选择填好的 Excel 文件。")
    if upload.size > MAX_UPLOAD_BYTES:
        return _("文件太大（超过%(mb)dMB），请按楼栋拆分后分别导入。") % {
            "mb": MAX_UPLOAD_BYTES // (1024 * 1024)
        }
    if not upload.name.lower().endswith(".xlsx"):
        return _("只支持 .xlsx 文件；旧版 .xls 文件请在 Excel 中另存为 .xlsx。")
    head = upload.read(4)
    upload.seek(0)
    if head != b"PK\x03\x04":  # every .xlsx is a zip archive
        return _("文件不是 Excel（.xlsx）文件，请用模板填写后上传。")
    try:
        check_xlsx_archive(upload)  # at once; the importer checks again before opening
    except ArchiveRefused as exc:
        return str(exc)
    return ""


@login_required
def import_page(request, compound_id: int):
    compound = _compound(request, compound_id, "estates.import")
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        error = _upload_error(upload)
        if not error:
            job = import_submit(
                actor=request.user, compound=compound, upload=upload, language=get_language()
            )
            return redirect("job_status", job_id=job.pk)
    jobs = selectors.import_jobs(request.user, compound, kind=IMPORT_KIND)
    context = {
        "compound": compound,
        "error": error,
        "jobs": jobs,
        "columns": COLUMNS,
        "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render(request, "estates/import.html", context, status=400 if error else 200)


@login_required
def import_template(request, compound_id: int):
    _compound(request, compound_id, "estates.import")
    response = HttpResponse(template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="wanjia-import-template.xlsx"'
    return response


@login_required
def export_page(request, compound_id: int):
    """GET: the export form. POST: the .xlsx (masked unless asked for and allowed)."""
    compound = _compound(request, compound_id, "estates.export")
    buildings = selectors.compound_buildings_for_export(request.user, compound)
    source = request.POST if request.method == "POST" else request.GET
    building = _building(buildings, source.get("building", ""))
    if request.method == "POST":
        export = residents_export(
            actor=request.user,
            compound=compound,
            building=building,
            full_numbers=request.POST.get("full_numbers") == "1",
            ip=client_ip(request),
        )
        response = HttpResponse(export.content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
    context = {
        "compound": compound,
        "buildings": buildings,
        "building": building,
        "can_reveal_phone": can(request.user, "pii.reveal_phone", compound=compound),
        "can_reveal_id": can(request.user, "pii.reveal_id", compound=compound),
    }
    return render(request, "estates/export.html", context)


def _building(buildings, raw: str):
    """The chosen building of this compound, or None for the whole compound."""
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404(_("未找到该记录。"))
    return get_or_404(buildings, pk=int(raw))
