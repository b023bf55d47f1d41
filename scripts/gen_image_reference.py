#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Reference values for tests/unit/test_image.cpp and test_anyres.cpp, computed with Pillow.

Dev-time only. Run with Debian's python3-pil (Pillow 9.4; its resampler equals the 10.x the
reference pins):  /usr/bin/python3 scripts/gen_image_reference.py [--write-fixtures]

Prints C++ initialisers to paste into the tests. --write-fixtures also (re)writes the small files
under tests/data/images/ that stb_image_write cannot make (palette and 16-bit PNG, GIF, grey JPEG).
The synthetic image here must stay identical to pattern_image() in the tests.
"""
import io
import math
import os
import struct
import sys
import zlib

from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "tests", "data", "images")


def pattern(w, h):
    """Gradient in red, an xor texture in green, a coarse checkerboard in blue (sharp edges make
    the bicubic overshoot, so clipping is exercised)."""
    data = bytearray()
    for y in range(h):
        for x in range(w):
            data += bytes((x * 255 // max(w - 1, 1),
                           ((x * 7 + y * 13) ^ (x * y)) & 255,
                           255 if (x // 3 + y // 2) % 2 else 0))
    return Image.frombytes("RGB", (w, h), bytes(data))


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def pixel(im, x, y):
    return im.getpixel((x, y))


# --- resize cases -------------------------------------------------------------------------------

RESIZE_CASES = [  # (source w, h, target w, h)
    (37, 23, 13, 9),    # shrink both (printed in full)
    (37, 23, 80, 50),   # enlarge both
    (37, 23, 20, 23),   # horizontal only, shrink
    (37, 23, 61, 23),   # horizontal only, enlarge
    (37, 23, 37, 11),   # vertical only, shrink
    (37, 23, 37, 40),   # vertical only, enlarge
    (37, 23, 50, 11),   # enlarge one axis, shrink the other
    (37, 23, 384, 384),
    (301, 217, 384, 384),
    (301, 217, 97, 70),
    (301, 217, 5, 3),
]


def resize_reference():
    print("// gen_image_reference.py: resize cases {src_w, src_h, dst_w, dst_h, fnv1a64, samples}")
    for sw, sh, dw, dh in RESIZE_CASES:
        out = pattern(sw, sh).resize((dw, dh), Image.BICUBIC)
        samples = [(0, 0), (dw - 1, 0), (0, dh - 1), (dw - 1, dh - 1), (dw // 2, dh // 3),
                   (dw // 3, dh // 2)]
        text = ", ".join("{%d, %d, {%d, %d, %d}}" % ((x, y) + pixel(out, x, y)) for x, y in samples)
        print("    {%d, %d, %d, %d, 0x%016xull, {%s}}," % (sw, sh, dw, dh,
                                                        fnv1a64(out.tobytes()), text))
    sw, sh, dw, dh = RESIZE_CASES[0]
    out = pattern(sw, sh).resize((dw, dh), Image.BICUBIC).tobytes()
    print("// %dx%d -> %dx%d, every byte" % (sw, sh, dw, dh))
    for row in range(dh):
        line = out[row * dw * 3:(row + 1) * dw * 3]
        print("    " + ", ".join(str(v) for v in line) + ",")


# --- anyres, written from spec §7.2 and §8 ------------------------------------------------------

PINPOINTS = [(384 * i, 384 * j) for i in range(1, 7) for j in range(1, 7)]


def select_best_resolution(size, candidates):
    ow, oh = size
    best, max_eff, min_waste = None, 0, float("inf")
    for w, h in candidates:
        scale = min(w / ow, h / oh)
        dw, dh = int(ow * scale), int(oh * scale)
        eff = min(dw * dh, ow * oh)
        waste = w * h - eff
        if eff > max_eff or (eff == max_eff and waste < min_waste):
            max_eff, min_waste, best = eff, waste, (w, h)
    return best


def resized_size(size, target):
    ow, oh = size
    tw, th = target
    sw, sh = tw / ow, th / oh
    if sw < sh:
        return tw, min(math.ceil(oh * sw), th)
    return min(math.ceil(ow * sh), tw), th


def plan(size, unit=384, side=27, max_patches=4, pinpoints=PINPOINTS):
    W, H = size
    cw, ch = select_best_resolution(size, pinpoints)
    nx, ny = cw // unit, ch // unit
    hc, wc = ny * side, nx * side
    if W / H > wc / hc:
        new_h = int(H * (wc / W))
        p = (hc - new_h) // 2
        h, w = len(range(hc)[p:hc - p]), wc
    else:
        new_w = int(W * (hc / H))
        p = (wc - new_w) // 2
        h, w = hc, len(range(wc)[p:wc - p])
    fh, fw = h, w
    if max_patches > 0:  # plain "anyres" never downsamples
        times = math.sqrt(h * w / (max_patches * side * side))
        if times > 1.1:
            fh, fw = int(h // times), int(w // times)
    return cw, ch, h, w, fh, fw, side * side + fh * (fw + 1)


SWEEP = [(1024, 768), (768, 1024), (800, 600), (640, 480), (500, 375), (384, 384), (1280, 720),
         (1920, 1080), (2048, 1536), (1, 1), (2, 3), (383, 385), (385, 383), (1000, 1),
         (1, 1000), (4000, 3000), (3000, 4000), (2304, 2304), (2305, 2303), (1366, 768),
         (768, 1366), (1080, 1920), (720, 1280), (1200, 800), (800, 1200), (333, 517), (517, 333),
         (1536, 384), (384, 1536), (2400, 300), (300, 2400), (999, 777), (777, 999), (1151, 767),
         (1153, 769), (600, 600), (1700, 1100), (1100, 1700), (4096, 2160), (224, 224),
         (32768, 32768), (32768, 128), (5000, 97)]


def plan_reference():
    print("// gen_image_reference.py: {W, H, canvas_w, canvas_h, unpadded_h, unpadded_w, "
          "final_h, final_w, tokens}")
    for size in SWEEP:
        print("    {%d, %d, %d, %d, %d, %d, %d, %d, %d}," % (size + plan(size)))
    print("// plain anyres (max_num_patches 0), real config")
    for size in [(1024, 768), (2048, 1536), (500, 375)]:
        print("    {%d, %d, %d, %d, %d, %d, %d, %d, %d}," % (size + plan(size, max_patches=0)))
    print("// small tower: image_size 56, patch 14 (side 4), pinpoints 56*(1..3), anyres_max_2")
    small = [(56 * i, 56 * j) for i in range(1, 4) for j in range(1, 4)]
    for size in [(100, 50), (50, 100), (170, 30), (56, 56), (300, 200), (123, 77)]:
        print("    {%d, %d, %d, %d, %d, %d, %d, %d, %d}," %
              (size + plan(size, unit=56, side=4, max_patches=2, pinpoints=small)))


# --- whole preprocessing (process_anyres_image), crops compared as 8-bit pixels -----------------

def anyres_crops(image):
    best = select_best_resolution(image.size, PINPOINTS)
    nw, nh = resized_size(image.size, best)
    canvas = Image.new("RGB", best, (0, 0, 0))
    canvas.paste(image.resize((nw, nh)), ((best[0] - nw) // 2, (best[1] - nh) // 2))
    tiles = [canvas.crop((x, y, x + 384, y + 384))
             for y in range(0, best[1], 384) for x in range(0, best[0], 384)]
    return [image.resize((384, 384))] + tiles


def pipeline_reference():
    print("// gen_image_reference.py: pattern image {W, H, {fnv1a64 of each crop's RGB bytes}}")
    for size in [(500, 375), (1024, 768), (333, 517)]:
        hashes = ", ".join("0x%016xull" % fnv1a64(c.tobytes()) for c in anyres_crops(pattern(*size)))
        print("    {%d, %d, {%s}}," % (size + (hashes,)))


# --- decoder fixtures ---------------------------------------------------------------------------

def raw_png(w, h, bit_depth, colour_type, rows):
    """A PNG written by hand, for the 16-bit colour layouts Pillow cannot save."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bit_depth, colour_type, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def write_fixtures():
    os.makedirs(FIXTURES, exist_ok=True)
    # Palette 3x2 with a transparent entry (index 3): convert("RGB") keeps its colour.
    pal = Image.new("P", (3, 2))
    pal.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30] + [0] * (256 - 4) * 3)
    pal.putdata([0, 1, 2, 3, 2, 1])
    pal.save(os.path.join(FIXTURES, "palette.png"), transparency=3)
    # 16-bit grey 3x1.
    with open(os.path.join(FIXTURES, "gray16.png"), "wb") as f:
        f.write(raw_png(3, 1, 16, 0, [struct.pack(">HHH", 0x0000, 0x8000, 0xFFFF)]))
    # 16-bit RGB 2x1 and RGBA 2x1.
    with open(os.path.join(FIXTURES, "rgb16.png"), "wb") as f:
        f.write(raw_png(2, 1, 16, 2, [struct.pack(">6H", 0x1234, 0xFF00, 0x00FF,
                                                  0xABCD, 0x0101, 0x7FFF)]))
    with open(os.path.join(FIXTURES, "rgba16.png"), "wb") as f:
        f.write(raw_png(2, 1, 16, 6, [struct.pack(">8H", 0x1234, 0xFF00, 0x00FF, 0x0000,
                                                  0xABCD, 0x0101, 0x7FFF, 0xFFFF)]))
    # Two-frame GIF 4x2: the first frame must come back.
    f1 = Image.new("P", (4, 2))
    f1.putpalette([0, 0, 0, 255, 255, 255, 200, 100, 50, 5, 150, 250] + [0] * (256 - 4) * 3)
    f1.putdata([0, 1, 2, 3, 3, 2, 1, 0])
    f2 = f1.copy()
    f2.putdata([1] * 8)
    f1.save(os.path.join(FIXTURES, "frames.gif"), save_all=True, append_images=[f2], duration=50,
            optimize=False)
    # Grey JPEG 8x8 ramp.
    g = Image.frombytes("L", (8, 8), bytes((x * 32 + y * 4) % 256 for y in range(8) for x in range(8)))
    g.save(os.path.join(FIXTURES, "gray.jpg"), quality=95)
    # Uncompressed TIFF 3x2, a format only the OpenCV fallback reads.
    t = Image.frombytes("RGB", (3, 2), bytes(range(10, 190, 10)))
    t.save(os.path.join(FIXTURES, "tiny.tif"))


def fixture_reference():
    print("// gen_image_reference.py: Pillow's Image.open(f).convert('RGB'), every byte")
    for name in ["palette.png", "gray16.png", "rgb16.png", "rgba16.png", "frames.gif", "gray.jpg",
                 "tiny.tif"]:
        im = Image.open(os.path.join(FIXTURES, name))
        mode = im.mode
        rgb = im.convert("RGB")
        print("    // %s: mode %s, %dx%d" % (name, mode, rgb.width, rgb.height))
        print("    {" + ", ".join(str(v) for v in rgb.tobytes()) + "},")


def main():
    if "--write-fixtures" in sys.argv:
        write_fixtures()
    resize_reference()
    plan_reference()
    pipeline_reference()
    fixture_reference()


if __name__ == "__main__":
    main()
