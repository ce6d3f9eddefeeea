"""Photos as evidence (issue 12): a resized copy for the page and the capture time the
photo itself carries. The original file is never changed."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.base import ContentFile
from django.utils import timezone

THUMB_SIZE = (640, 640)
_EXIF_DATETIME_ORIGINAL = 0x9003
_EXIF_IFD = 0x8769


def thumbnail_of(upload) -> ContentFile | None:
    """A JPEG at most 640×640, turned upright as the camera held it; None when the bytes
    are not an image Pillow can read (the upload was already sniffed, so that is rare)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(upload) as opened:
            im: Image.Image = ImageOps.exif_transpose(opened)
            im.thumbnail(THUMB_SIZE)
            if im.mode not in ("RGB", "L"):
                im = im.convert("RGB")
            out = io.BytesIO()
            im.save(out, "JPEG", quality=82)
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    return ContentFile(out.getvalue())


def exif_time(upload) -> dt.datetime | None:
    """EXIF DateTimeOriginal (the camera's local time, read in the bureau's time zone)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(upload) as im:
            raw = im.getexif().get_ifd(_EXIF_IFD).get(_EXIF_DATETIME_ORIGINAL)
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    if not raw:
        return None
    try:
        naive = dt.datetime.strptime(str(raw).strip(), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    return timezone.make_aware(naive)
