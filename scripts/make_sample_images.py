#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Draws the bundled sample images (coloured shapes on plain backgrounds) with Pillow. Dev-time
# only: the PNG/JPEG files it writes are committed under resources/samples/.
import sys
from pathlib import Path

from PIL import Image, ImageDraw

out = Path(sys.argv[1] if len(sys.argv) > 1 else "resources/samples")
out.mkdir(parents=True, exist_ok=True)

img = Image.new("RGB", (320, 240), (235, 235, 225))
d = ImageDraw.Draw(img)
d.ellipse((30, 60, 130, 160), fill=(220, 40, 40))
d.rectangle((190, 50, 290, 150), fill=(40, 80, 220))
d.polygon([(120, 220), (170, 140), (220, 220)], fill=(40, 170, 60))
img.save(out / "shapes.png")

img = Image.new("RGB", (400, 300), (30, 30, 40))
d = ImageDraw.Draw(img)
d.ellipse((260, 40, 360, 140), fill=(250, 210, 40))
d.rectangle((40, 160, 160, 260), fill=(200, 60, 200))
img.save(out / "night.jpg", quality=90)
