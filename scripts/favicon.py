"""Draw src/helpline/static/favicon.ico from favicon.svg (run after changing the SVG).

Chromium renders the SVG at 16, 32 and 48 pixels; each PNG goes into the ICO as it is (ICO
files may hold PNG images, and every current browser reads them).
Run: .venv/bin/python scripts/favicon.py
"""

from __future__ import annotations

import base64
import struct
from pathlib import Path

from playwright.sync_api import sync_playwright

STATIC = Path(__file__).resolve().parents[1] / "src" / "helpline" / "static"
SIZES = (16, 32, 48)


def render(svg: str, size: int) -> bytes:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": size, "height": size})
        page.set_content(
            f'<body style="margin:0"><img src="data:image/svg+xml;base64,{svg}" '
            f'width="{size}" height="{size}" style="display:block"></body>'
        )
        png = page.screenshot(omit_background=True)
        browser.close()
    return png


def ico(pngs: list[tuple[int, bytes]]) -> bytes:
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, images = b"", b""
    for size, png in pngs:
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), offset)
        images += png
        offset += len(png)
    return header + entries + images


def main() -> None:
    svg = base64.b64encode((STATIC / "favicon.svg").read_bytes()).decode()
    (STATIC / "favicon.ico").write_bytes(ico([(size, render(svg, size)) for size in SIZES]))


if __name__ == "__main__":
    main()
