"""Documents people attach (a notice, a directive, a reply): a PDF, JPEG, PNG
or Office (zip) file of at most 10 MB, recognised by its first bytes, not by
its name; stored under a name of our making, the sender's name kept for
display and download."""

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from .errors import Invalid

FILE_MAX_BYTES = 10 * 1024 * 1024
FILE_TYPES = {
    b"%PDF-": "pdf",
    b"\xff\xd8\xff": "jpg",
    b"\x89PNG\r\n\x1a\n": "png",
    b"PK\x03\x04": "zip",  # docx / xlsx / pptx
}


def clean_file(upload, field="file") -> tuple[ContentFile, str, str]:
    """The upload's content, its own name and the extension to store it under;
    a field error for anything else."""
    if getattr(upload, "size", 0) > FILE_MAX_BYTES:
        raise Invalid({field: [_("文件不能超过 10 MB。")]})
    head = upload.read(8)
    upload.seek(0)
    kind = next((k for magic, k in FILE_TYPES.items() if head.startswith(magic)), None)
    if kind is None:
        raise Invalid({field: [_("文件类型不支持，请上传 PDF、图片或 Office 文档。")]})
    name = (getattr(upload, "name", "") or "file").rsplit("/", 1)[-1][:100]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else kind
    if kind == "zip" and ext not in ("docx", "xlsx", "pptx"):
        raise Invalid({field: [_("文件类型不支持，请上传 PDF、图片或 Office 文档。")]})
    if kind != "zip":
        ext = kind
    return ContentFile(upload.read()), name, ext
