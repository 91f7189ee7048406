#!/usr/bin/env python3
"""Makes icons/icon.ico, the Windows icon, from icons/icon.png.

Windows takes the exe's icon (Explorer, the taskbar, the Start menu, the
installer) from one .ico holding several sizes, and picks the one nearest
the size it draws at; scaling one large image down at run time blurs the
stethoscope at 16 and 24 pixels, so each size is resampled here, once,
from the 512-pixel drawing. The .ico is committed: building for Windows
needs no image tools. Run again only when icons/icon.png changes:

    python3 scripts/make-ico.py     # needs Pillow (Debian: python3-pil)
"""

import pathlib
import sys

try:
    from PIL import Image
except ImportError:
    sys.exit("make-ico: needs Pillow: apt-get install python3-pil (then run it with /usr/bin/python3)")

# The sizes Windows asks for at 100-200% display scaling: small icons
# (16, 20, 24, 32, 40), large ones (48, 64) and the jumbo view (256, the
# largest an .ico entry can describe).
SIZES = [16, 20, 24, 32, 40, 48, 64, 256]

root = pathlib.Path(__file__).resolve().parent.parent
src = Image.open(root / "icons" / "icon.png").convert("RGBA")
out = root / "icons" / "icon.ico"
# Pillow resamples the source to every size itself (Lanczos) and stores
# each as PNG inside the .ico, which Windows reads since Vista.
src.save(out, format="ICO", sizes=[(s, s) for s in SIZES])
print(f"make-ico: wrote {out.relative_to(root)} ({', '.join(map(str, SIZES))} px)")
