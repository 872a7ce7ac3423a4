"""Reading a key share from a photo or scan of its sheet's QR code (zxing-cpp, Pillow)."""

from __future__ import annotations

from pathlib import Path

import zxingcpp
from PIL import Image, UnidentifiedImageError

from survey.analyst.key_shares import ShareError


def read_qr_text(path: Path) -> str:
    """The text of the one QR code in the picture at ``path`` (PNG, JPEG, ...)."""
    try:
        with Image.open(path) as picture:
            found = zxingcpp.read_barcodes(picture.convert("L"))
    except (UnidentifiedImageError, OSError) as exc:
        raise ShareError(f"{path.name} is not a picture this tool can read") from exc
    texts = {str(code.text) for code in found if code.valid and code.format == zxingcpp.BarcodeFormat.QRCode}
    if not texts:
        raise ShareError(f"no readable QR code in {path.name}: photograph it flat, in good light, filling the frame")
    if len(texts) > 1:
        raise ShareError(f"{path.name} shows {len(texts)} different QR codes: photograph one share at a time")
    return texts.pop()
