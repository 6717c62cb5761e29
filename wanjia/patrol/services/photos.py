"""A photo taken on patrol, re-encoded: anything that is not an image is
refused by field and never stored; a big one is scaled down."""

from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

PHOTO_MAX_BYTES = 12 * 1024 * 1024
PHOTO_EDGE = 1600


def photo_file(upload) -> ContentFile:
    from PIL import Image, ImageOps, UnidentifiedImageError

    if getattr(upload, "size", 0) > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": _("照片不能超过 12 MB。")})
    try:
        with Image.open(upload) as img:
            img = ImageOps.exif_transpose(img).convert("RGB")
            img.thumbnail((PHOTO_EDGE, PHOTO_EDGE))
            out = BytesIO()
            img.save(out, "JPEG", quality=80)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"photo": _("照片无法识别，请重新拍一张。")}) from None
    return ContentFile(out.getvalue())
