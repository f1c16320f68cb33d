"""Headless Chromium (Debian's `chromium` package): prints the HTML report to PDF, and lets the
tests dump the rendered DOM and take screenshots. A fresh profile per run; no network."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from cchc_warehouse.errors import CchcError

log = logging.getLogger(__name__)

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",  # root in CI containers: the sandbox needs user namespaces
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--mute-audio",
)
TIMEOUT_S = 90


class ChromiumError(CchcError):
    """Chromium is missing or failed to render."""


def find_chromium() -> str | None:
    """CCHC_CHROMIUM, else the first Chromium/Chrome on PATH."""
    explicit = os.environ.get("CCHC_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() or shutil.which(explicit) else None
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def run(args: list[str], *, capture: bool = False) -> str:
    """Run headless Chromium with a fresh profile; return stdout when `capture`."""
    binary = find_chromium()
    if binary is None:
        raise ChromiumError(
            "chromium not found: install Debian's chromium (`make chromium`) or set CCHC_CHROMIUM"
        )
    with tempfile.TemporaryDirectory(prefix="cchc-chromium-") as profile:
        cmd = [binary, *FLAGS, f"--user-data-dir={profile}", *args]
        log.debug("running %s", " ".join(cmd))
        try:
            done = subprocess.run(
                cmd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise ChromiumError(f"chromium did not finish in {TIMEOUT_S} s") from exc
    if done.returncode != 0:
        tail = (done.stderr or "").strip().splitlines()[-3:]
        raise ChromiumError(f"chromium exited with {done.returncode}: {' | '.join(tail)}")
    return done.stdout if capture else ""


def print_to_pdf(html: Path, pdf: Path) -> Path:
    """The HTML page as an A4 PDF (the page's @page rule sets size and margins)."""
    pdf.unlink(missing_ok=True)
    run(
        [
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf.resolve()}",
            html.resolve().as_uri(),
        ]
    )
    if not pdf.exists() or pdf.stat().st_size == 0:
        raise ChromiumError(f"chromium wrote no PDF for {html}")
    return pdf


def dump_dom(html: Path) -> str:
    """The DOM after rendering (what a reader's browser builds from the file)."""
    return run(["--dump-dom", html.resolve().as_uri()], capture=True)


def screenshot(html: Path, png: Path, width: int = 1400, height: int = 1000) -> Path:
    png.unlink(missing_ok=True)
    run(
        [
            f"--screenshot={png.resolve()}",
            f"--window-size={width},{height}",
            html.resolve().as_uri(),
        ]
    )
    if not png.exists():
        raise ChromiumError(f"chromium wrote no screenshot for {html}")
    return png
