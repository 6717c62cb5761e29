"""A photo of the fault, re-encoded as JPEG: anything that is not an image is
refused by field and never stored; a big one is scaled down (the way patrol's
incident photos are kept)."""

from io import BytesIO

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from wanjia.core.errors import Invalid

PHOTO_MAX_BYTES = 12 * 1024 * 1024
PHOTO_EDGE = 1600
MAX_PHOTOS = 3


def photo_file(upload) -> ContentFile:
    from PIL import Image, ImageOps, UnidentifiedImageError

    if getattr(upload, "size", 0) > PHOTO_MAX_BYTES:
        raise Invalid({"photos": [_("每张照片不能超过 12 MB。")]})
    try:
        with Image.open(upload) as img:
            img = ImageOps.exif_transpose(img).convert("RGB")
            img.thumbnail((PHOTO_EDGE, PHOTO_EDGE))
            out = BytesIO()
            img.save(out, "JPEG", quality=80)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise Invalid({"photos": [_("照片无法识别，请上传 JPG 或 PNG 图片。")]}) from None
    return ContentFile(out.getvalue())


def photo_files(uploads) -> list[ContentFile]:
    uploads = [u for u in uploads or () if u]
    if len(uploads) > MAX_PHOTOS:
        raise Invalid({"photos": [_("最多上传 3 张照片。")]})
    return [photo_file(u) for u in uploads]
