"""The HTML preview of a 92-day hourly segment: its size, and screenshots at two widths.

python benchmarks/preview_html.py [OUT_DIR]     (default: a new temporary directory)

Runs `reconcile preview` on the example repository's Q3 segment against the embedded sandbox,
prints the page's size in bytes, and has Debian's headless chromium draw it 1400 and 800 px
wide (tall enough to hold every chart), printing where each screenshot went.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEGMENT = ROOT / "segments" / "voice-calls-over-5-minutes-q3.yaml"
WIDTHS = {1400: 2000, 800: 2200}  # width: height, px


def page(out: Path) -> Path:
    html = out / "q3-hourly.html"
    command = [sys.executable, "-m", "genesys_reconcile", "preview", str(SEGMENT), "--sandbox"]
    command += ["--format", "html", "--out", str(html)]
    subprocess.run(command, cwd=out, check=True, capture_output=True)
    return html


def screenshot(html: Path, width: int, height: int) -> Path:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("screenshots need a browser: apt-get install chromium")
    png = html.with_name(f"{html.stem}-{width}.png")
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    command += [f"--screenshot={png}", f"--window-size={width},{height}", html.as_uri()]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    return png


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    html = page(out)
    print(f"{html}: {html.stat().st_size:,} bytes")
    for width, height in WIDTHS.items():
        print(f"{width} px wide: {screenshot(html, width, height)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="preview-")))
