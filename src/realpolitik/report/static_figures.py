"""Static figures for papers: PNG, SVG or PDF files of a run's figures, through Kaleido.

Kaleido 1.x renders Plotly figures in a headless Chromium. We point it at the system's browser
(Debian's ``/usr/lib/chromium/chromium``, or ``$BROWSER_PATH``), turn MathJax off so that it never
reaches for the network, and render every figure of a run in one browser session (starting one
costs about two seconds).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from realpolitik.errors import RealpolitikError

#: File formats Kaleido writes.
FORMATS = ("png", "svg", "pdf")
#: Browsers tried, in order, when ``$BROWSER_PATH`` is not set.
BROWSER_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/lib/chromium-browser/chromium-browser")
#: Size of an exported figure in CSS pixels when the figure sets none (PNG is drawn at scale 2).
DEFAULT_WIDTH, DEFAULT_HEIGHT = 900, 500


class FigureExportError(RealpolitikError):
    """Static figures cannot be written (Kaleido or a browser missing, or a render failed)."""


def parse_formats(text: str) -> tuple[str, ...]:
    """``"png,svg"`` -> ``("png", "svg")``, checked against :data:`FORMATS`."""
    formats = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise FigureExportError(
            f"unknown figure format(s) {', '.join(bad) or '(none)'}; use some of {', '.join(FORMATS)}"
        )
    return formats


def browser_path() -> str:
    """The Chromium Kaleido should drive.

    Raises
    ------
    FigureExportError
        When none is found.
    """
    env = os.environ.get("BROWSER_PATH")
    if env:
        return env
    for candidate in BROWSER_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    raise FigureExportError(
        "no Chromium found for static figures: install Debian's (apt-get install chromium) or set "
        "BROWSER_PATH to a Chrome or Chromium binary"
    )


def write_figures(
    figures: Mapping[str, Any], folder: Path, formats: Sequence[str] = ("png", "svg")
) -> list[Path]:
    """Write every figure in ``figures`` (name -> Plotly figure) once per format into ``folder``.

    Returns
    -------
    list of Path
        The files written, in the order of ``figures`` then ``formats``.

    Raises
    ------
    FigureExportError
        When Kaleido is not installed (``pip install realpolitik[figures]``), no browser is found,
        or a figure fails to render.
    """
    try:
        import kaleido
    except ImportError:
        raise FigureExportError(
            "static figures need Kaleido: pip install 'realpolitik[figures]'"
        ) from None
    for fmt in formats:
        if fmt not in FORMATS:
            raise FigureExportError(
                f"unknown figure format {fmt!r}; use one of {', '.join(FORMATS)}"
            )
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    jobs = []
    paths = []
    for name, fig in figures.items():
        layout = fig.layout
        width = layout.width or DEFAULT_WIDTH
        height = layout.height or DEFAULT_HEIGHT
        for fmt in formats:
            path = folder / f"{name}.{fmt}"
            opts = {"format": fmt, "width": width, "height": height}
            if fmt == "png":
                opts["scale"] = 2
            jobs.append({"fig": fig, "path": path, "opts": opts})
            paths.append(path)
    if not jobs:
        return []
    kopts = {"mathjax": False, "path": browser_path()}
    try:
        errors = kaleido.write_fig_from_object_sync(jobs, kopts=kopts)
    except Exception as exc:  # noqa: BLE001 - Kaleido raises many kinds; one message for users
        raise FigureExportError(f"static figures failed: {exc}") from exc
    if errors:
        raise FigureExportError("static figures failed: " + "; ".join(str(e) for e in errors))
    return paths
