#!/usr/bin/env python3
"""Draws the UI's app icons into web-proxy/ui/src/icons/: a rounded square
in the UI's accent colour (#2457d6) with a white terminal prompt (">_"),
anti-aliased, as PNG at the sizes the web app manifest and iOS ask for.
The icons are committed; run this only to change them (standard library
only, so it needs nothing installed):

    python3 web-proxy/ui/scripts/make_icons.py
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "icons"
ACCENT = (0x24, 0x57, 0xD6)
WHITE = (0xFF, 0xFF, 0xFF)
# Shapes on a unit square (0..1): the background's corner radius, and the
# prompt's strokes as segments with a half-width. "maskable" icons keep
# everything inside the central 80 % circle, as the manifest spec asks.
CORNER = 0.18
STROKE = 0.055
SEGMENTS = [((0.28, 0.32), (0.47, 0.50)), ((0.47, 0.50), (0.28, 0.68)),
            ((0.53, 0.68), (0.72, 0.68))]


def distance_to_segment(px: float, py: float, a: tuple[float, float],
                        b: tuple[float, float]) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def inside_rounded_square(px: float, py: float, radius: float) -> float:
    """Signed distance to the rounded square's edge (negative inside)."""
    qx = abs(px - 0.5) - (0.5 - radius)
    qy = abs(py - 0.5) - (0.5 - radius)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - radius


def coverage(signed_distance: float, pixel: float) -> float:
    """How much of a pixel a shape covers, from its signed distance."""
    return max(0.0, min(1.0, 0.5 - signed_distance / pixel))


def draw(size: int, full_bleed: bool) -> bytes:
    """RGBA rows of the icon; `full_bleed` fills the square (maskable)."""
    pixel = 1.0 / size
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # PNG filter: none
        for x in range(size):
            px, py = (x + 0.5) * pixel, (y + 0.5) * pixel
            bg = 1.0 if full_bleed else coverage(inside_rounded_square(px, py, CORNER), pixel)
            stroke = max(coverage(distance_to_segment(px, py, a, b) - STROKE, pixel)
                         for a, b in SEGMENTS)
            color = [round(ACCENT[i] * (1 - stroke) + WHITE[i] * stroke) for i in range(3)]
            rows += bytes(color) + bytes([round(255 * max(bg, stroke))])
    return bytes(rows)


def png(size: int, rgba_rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rgba_rows, 9)) + chunk(b"IEND", b""))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, full_bleed in [("icon-192.png", 192, False), ("icon-512.png", 512, False),
                                   ("maskable-512.png", 512, True),
                                   ("apple-touch-icon.png", 180, True)]:
        (OUT / name).write_bytes(png(size, draw(size, full_bleed)))
        print(OUT / name)


if __name__ == "__main__":
    main()
