"""Draw docs/explanation/historical-triangle.svg and print the agreement table (Markdown).

Usage: python benchmarks/figure_historical_triangle.py [DATA_DIR]
A plain SVG written by hand (no browser needed), a few kilobytes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

COLOURS = {
    "menage a trois": "#4daf4a",
    "romantic triangle": "#377eb8",
    "stable marriage": "#ff7f00",
    "unit veto": "#e41a1c",
    "indeterminate": "#bbbbbb",
}
LINES = {
    "rel_USA_RUS": ("#e41a1c", "US-USSR/Russia"),
    "rel_USA_CHN": ("#377eb8", "US-China"),
    "rel_RUS_CHN": ("#984ea3", "USSR/Russia-China"),
}


def main() -> None:
    from realpolitik.data.history import PERIODISATION, historical_triangle

    repo = Path(__file__).resolve().parents[1]
    arg = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("REALPOLITIK_DATA_DIR")
    data = Path(arg) if arg else repo.parent / "shared" / "data" / "ir"
    chk = historical_triangle(data)
    t = chk.table
    y0, y1 = int(t.year.min()), int(t.year.max())
    w, left, right, top = 760, 50, 20, 20
    span = w - left - right

    def x(year: float) -> float:
        return left + (year - y0) / (y1 - y0 + 1) * span

    def yv(v: float) -> float:  # relations -3.5..2.5 -> 300..60
        return 60 + (2.5 - v) / 6.0 * 240

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="380" '
        'font-family="sans-serif" font-size="11">',
        f'<text x="{left}" y="14">US-USSR/Russia-China triangle from measured relations '
        f"(agreement with the periodisation: {chk.rate:.0%})</text>",
    ]
    bw = span / (y1 - y0 + 1)
    for _, r in t.iterrows():
        out.append(
            f'<rect x="{x(r.year):.1f}" y="{top + 2}" width="{bw:.1f}" height="12" '
            f'fill="{COLOURS[r.configuration]}"><title>{r.year}: {r.configuration}'
            f"</title></rect>"
        )
        if not r.agrees:
            out.append(
                f'<text x="{x(r.year) + bw / 2:.1f}" y="{top + 26}" text-anchor="middle" '
                'fill="#555">x</text>'
            )
    for p in PERIODISATION:
        a, b = max(p.start, y0), min(p.end, y1)
        conf = p.accepted[0][0]
        out.append(
            f'<rect x="{x(a):.1f}" y="{top + 30}" width="{(b - a + 1) * bw:.1f}" '
            f'height="12" fill="{COLOURS[conf]}" stroke="white"><title>{p.label}'
            "</title></rect>"
        )
    out.append(f'<text x="4" y="{top + 12}">data</text><text x="4" y="{top + 40}">history</text>')
    for v in (-3, -2, -1, 0, 1, 2):
        out.append(
            f'<line x1="{left}" x2="{w - right}" y1="{yv(v):.1f}" y2="{yv(v):.1f}" '
            f'stroke="{"#999" if v == 0 else "#eee"}"/><text x="{left - 6}" '
            f'y="{yv(v) + 4:.1f}" text-anchor="end">{v}</text>'
        )
    for col, (colour, _label) in LINES.items():
        pts = " ".join(
            f"{x(yr) + bw / 2:.1f},{yv(v):.1f}" for yr, v in zip(t.year, t[col], strict=True)
        )
        out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
    for yr in range(1950, y1 + 1, 10):
        out.append(f'<text x="{x(yr):.1f}" y="318" text-anchor="middle">{yr}</text>')
    lx = left
    for colour, label in LINES.values():
        out.append(
            f'<line x1="{lx}" x2="{lx + 18}" y1="338" y2="338" stroke="{colour}" '
            f'stroke-width="2"/><text x="{lx + 22}" y="342">{label}</text>'
        )
        lx += 150
    lx = left
    for conf, colour in COLOURS.items():
        out.append(
            f'<rect x="{lx}" y="354" width="12" height="10" fill="{colour}"/>'
            f'<text x="{lx + 16}" y="363">{conf}</text>'
        )
        lx += 135
    out.append("</svg>")
    target = repo / "docs" / "explanation" / "historical-triangle.svg"
    target.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote {target} ({target.stat().st_size:,} bytes)")
    print(f"agreement {chk.rate:.3f}, excluding boundary years {chk.rate_core:.3f}\n")
    print("| period | expected | measured (years) | agree |")
    print("|---|---|---|---|")
    for p in PERIODISATION:
        s = t[(t.year >= p.start) & (t.year <= p.end)]
        if s.empty:
            continue
        extra = s.special.map(lambda v: f" ({v})" if isinstance(v, str) else "")
        counts = s.assign(c=s.configuration + extra)
        desc = ", ".join(f"{k} {n}" for k, n in counts.c.value_counts().items())
        print(
            f"| {s.year.min()}-{s.year.max()} | {p.label} | {desc} | "
            f"{int(s.agrees.sum())}/{len(s)} |"
        )


if __name__ == "__main__":
    main()
