#!/usr/bin/env python3
"""Draw the Sign'Stash Desk icon: an invoice sheet with a green seal and a check mark.

Pure standard library (zlib + struct) so it runs anywhere the repo is checked out,
and the output is byte-for-byte reproducible. Run from the repository root:

    python3 icons/make-icons.py

Tauri refuses non-RGBA icons at compile time, so every PNG is written as RGBA (colour type 6).
The master is drawn once at 512 px with 4 samples per pixel (anti-aliasing) and box-filtered
down to the smaller sizes, which keeps edges soft at 32 px without a second drawing path.
"""

import os
import struct
import zlib

MASTER = 512
SUPERSAMPLE = 2  # samples per axis per pixel
OUT_DIR = os.path.dirname(os.path.abspath(__file__))

# Palette (RGBA). Slate for the sheet, green for the seal: "signed, valid".
TRANSPARENT = (0, 0, 0, 0)
OUTLINE = (51, 65, 85, 255)  # slate-700
PAPER = (248, 250, 252, 255)  # slate-50
FOLD = (203, 213, 225, 255)  # slate-300
TEXT_LINE = (148, 163, 184, 255)  # slate-400
SEAL = (21, 128, 61, 255)  # green-700
SEAL_RING = (240, 253, 244, 255)  # green-50
CHECK = (255, 255, 255, 255)


def rounded_rect(x0, y0, x1, y1, r):
    def inside(x, y):
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            return False
        cx = min(max(x, x0 + r), x1 - r)
        cy = min(max(y, y0 + r), y1 - r)
        return (x - cx) ** 2 + (y - cy) ** 2 <= r * r

    return inside


def circle(cx, cy, r):
    return lambda x, y: (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def below_diagonal(x0, y0, x1, y1):
    """True on the side of the line (x0,y0)->(x1,y1) that keeps the sheet (cuts the folded corner)."""
    return lambda x, y: (x1 - x0) * (y - y0) - (y1 - y0) * (x - x0) >= 0


def segment(ax, ay, bx, by, half_width):
    """A thick line with round caps."""
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy

    def inside(x, y):
        t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length2))
        px, py = ax + t * dx, ay + t * dy
        return (x - px) ** 2 + (y - py) ** 2 <= half_width * half_width

    return inside


def both(a, b):
    return lambda x, y: a(x, y) and b(x, y)


def layers():
    """Painter's order, coordinates in a 0..1 square."""
    fold = 0.16
    sx0, sy0, sx1, sy1 = 0.16, 0.06, 0.76, 0.90  # the sheet
    corner_cut = below_diagonal(sx1 - fold, sy0, sx1, sy0 + fold)
    sheet_outer = both(rounded_rect(sx0, sy0, sx1, sy1, 0.05), corner_cut)
    b = 0.035  # outline width
    inner_cut = below_diagonal(sx1 - fold - b * 0.42, sy0, sx1, sy0 + fold + b * 0.42)
    sheet_inner = both(rounded_rect(sx0 + b, sy0 + b, sx1 - b, sy1 - b, 0.03), inner_cut)
    # The folded-over corner: the triangle just under the cut, bounded by the cut itself so the
    # sheet's diagonal outline doubles as the fold's hypotenuse.
    fx, fy = sx1 - fold, sy0 + fold
    fold_outer = both(lambda x, y: x >= fx - b and y <= fy + b, sheet_outer)
    fold_inner = both(lambda x, y: x >= fx and y <= fy, sheet_inner)

    lines = [segment(0.28, y, x_end, y, 0.022) for y, x_end in ((0.30, 0.50), (0.42, 0.64), (0.54, 0.64), (0.66, 0.46))]

    seal_c = (0.70, 0.74)
    return [
        (OUTLINE, sheet_outer),
        (PAPER, sheet_inner),
        (OUTLINE, fold_outer),
        (FOLD, fold_inner),
        *[(TEXT_LINE, line) for line in lines],
        (SEAL_RING, circle(*seal_c, 0.235)),
        (SEAL, circle(*seal_c, 0.205)),
        (CHECK, segment(0.605, 0.745, 0.675, 0.815, 0.032)),
        (CHECK, segment(0.675, 0.815, 0.805, 0.665, 0.032)),
    ]


def render_master():
    size = MASTER * SUPERSAMPLE
    shapes = layers()
    # Accumulate premultiplied RGBA per output pixel.
    acc = [[0.0, 0.0, 0.0, 0.0] for _ in range(MASTER * MASTER)]
    weight = 1.0 / (SUPERSAMPLE * SUPERSAMPLE)
    for sy in range(size):
        y = (sy + 0.5) / size
        row = (sy // SUPERSAMPLE) * MASTER
        for sx in range(size):
            x = (sx + 0.5) / size
            colour = TRANSPARENT
            for c, inside in reversed(shapes):  # topmost first: stop at the first hit
                if inside(x, y):
                    colour = c
                    break
            if colour[3]:
                a = colour[3] / 255.0
                px = acc[row + sx // SUPERSAMPLE]
                px[0] += colour[0] * a * weight
                px[1] += colour[1] * a * weight
                px[2] += colour[2] * a * weight
                px[3] += a * weight
    return acc


def downsample(premul, src, dst):
    factor = src // dst
    out = []
    n = factor * factor
    for y in range(dst):
        for x in range(dst):
            r = g = b = a = 0.0
            for yy in range(y * factor, (y + 1) * factor):
                base = yy * src
                for xx in range(x * factor, (x + 1) * factor):
                    p = premul[base + xx]
                    r += p[0]
                    g += p[1]
                    b += p[2]
                    a += p[3]
            out.append((r / n, g / n, b / n, a / n))
    return out


def to_rgba_bytes(premul, size):
    rows = []
    for y in range(size):
        row = bytearray(b"\x00")  # filter type: none
        for x in range(size):
            r, g, b, a = premul[y * size + x]
            if a <= 0:
                row += b"\x00\x00\x00\x00"
            else:
                row += bytes(
                    (round(min(255, r / a)), round(min(255, g / a)), round(min(255, b / a)), round(min(255, a * 255)))
                )
        rows.append(bytes(row))
    return b"".join(rows)


def write_png(path, size, raw):
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main():
    master = render_master()
    for name, size in (("icon.png", 512), ("128x128@2x.png", 256), ("128x128.png", 128), ("32x32.png", 32)):
        pixels = master if size == MASTER else downsample(master, MASTER, size)
        write_png(os.path.join(OUT_DIR, name), size, to_rgba_bytes(pixels, size))
        print(f"wrote icons/{name} ({size}x{size} RGBA)")


if __name__ == "__main__":
    main()
