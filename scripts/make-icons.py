#!/usr/bin/env python3
"""Draws Gatewatch's app icons (PNG) with the standard library only.

A police-blue tile with a white shield and a red/blue light bar: recognisable at 48 px
on a home screen. Run once after changing the design; the PNGs are committed.
"""
import struct
import sys
import zlib
from pathlib import Path

BLUE = (14, 58, 138)
WHITE = (255, 255, 255)
RED = (220, 38, 38)
LIGHT_BLUE = (37, 99, 235)


def inside_shield(x, y):
    # Shield in unit square coordinates: flat top, sides, pointed bottom.
    if not (0.27 <= x <= 0.73 and 0.30 <= y <= 0.82):
        return False
    if y <= 0.58:
        return True
    # Taper from full width at y=0.58 to a point at y=0.82.
    half = 0.23 * (0.82 - y) / 0.24
    return abs(x - 0.5) <= half


def pixel(x, y, maskable):
    # Maskable icons keep content in the middle 80%, so the tile fills the square.
    r = 0.0 if maskable else 0.18
    cx = min(max(x, r), 1 - r)
    cy = min(max(y, r), 1 - r)
    if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
        return (0, 0, 0, 0)
    if 0.18 <= y <= 0.26 and 0.30 <= x <= 0.70:
        return (*(RED if x < 0.5 else LIGHT_BLUE), 255)
    if inside_shield(x, y):
        # A blue band across the shield.
        if 0.47 <= y <= 0.55:
            return (*BLUE, 255)
        return (*WHITE, 255)
    return (*BLUE, 255)


def png(size, maskable=False):
    rows = []
    ss = 3  # supersampling for smooth edges
    for j in range(size):
        row = bytearray([0])
        for i in range(size):
            acc = [0, 0, 0, 0]
            for sj in range(ss):
                for si in range(ss):
                    p = pixel((i + (si + 0.5) / ss) / size, (j + (sj + 0.5) / ss) / size, maskable)
                    for k in range(4):
                        acc[k] += p[k] * (p[3] if k < 3 else 255)
            a = acc[3] / (ss * ss * 255)
            if a > 0:
                rgb = [int(acc[k] * 255 / acc[3] + 0.5) for k in range(3)]
            else:
                rgb = [0, 0, 0]
            row += bytes(rgb + [int(a + 0.5)])
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "public/icons")
    out.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in [
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("icon-maskable-512.png", 512, True),
        ("apple-touch-icon.png", 180, True),
        ("favicon-32.png", 32, False),
    ]:
        (out / name).write_bytes(png(size, maskable))
        print("wrote", out / name)


if __name__ == "__main__":
    main()
