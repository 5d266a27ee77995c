from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(url: str, *, scale: int = 4) -> SafeString:
    """The URL as an inline SVG QR code (medium error correction: survives a smudged print)."""
    svg = segno.make(url, error="m").svg_inline(scale=scale, omitsize=False)
    return mark_safe(svg)  # noqa: S308  (segno's own markup; the URL is ours and only in path data)
