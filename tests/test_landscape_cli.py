"""`realpolitik landscape`: every documented option works or is a clean error, the output says
when the search was not exhaustive, and the Axelrod-Furnas CSV pair is read directly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from realpolitik.cli import main


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def write_pair(folder: Path, sizes, raw) -> tuple[Path, Path]:
    """An Axelrod-Furnas pair (actors.csv, propensity.csv) with raw 1-5 propensities."""
    n = len(sizes)
    names = [f"A{i}" for i in range(n)]
    actors = folder / "actors.csv"
    actors.write_text(
        "id,actor,strength\n" + "".join(f"{i + 1},{a},{sizes[i]!r}\n" for i, a in enumerate(names)),
        encoding="utf-8",
    )
    prop = folder / "propensity.csv"
    rows = ["," + ",".join(names)]
    for i, a in enumerate(names):
        rows.append(a + "," + ",".join("" if i == j else str(int(raw[i][j])) for j in range(n)))
    prop.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return actors, prop


def random_pair(folder: Path, n: int, seed: int = 0) -> tuple[Path, Path]:
    r = np.random.default_rng(seed)
    raw = np.triu(r.integers(1, 6, (n, n)), 1)
    return write_pair(folder, [float(v) for v in r.integers(1, 100, n)], raw + raw.T)


def test_syria_pair_directly(validation_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The published Syria/ISIS case read straight from its CSV pair: one minimum, E = -83200,
    ISIS with Nusra and Turkey (Axelrod & Furnas 2016)."""
    case = validation_dir / "landscape-syria-2016"
    args = ["landscape", str(case / "actors.csv"), str(case / "propensity_raw.csv")]
    code, out, err = run_cli([*args, "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["method"] == "exact" and data["n_configurations"] == 1024
    (only,) = data["configurations"]
    assert only["energy"] == -83200.0 and only["basin"] == 1.0
    assert sorted(only["coalitions"][1]) == ["ISIS", "Nursa", "Turkey"]
    code, out, _ = run_cli(args, capsys)
    assert code == 0 and "exact, every one" in out and "E = -83200" in out


def test_pair_needs_its_second_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    actors, _ = random_pair(tmp_path, 5)
    code, _, err = run_cli(["landscape", str(actors)], capsys)
    assert code == 2 and "propensity CSV" in err and "Traceback" not in err


@pytest.mark.parametrize("k", [2, 3, 4, 5, 6])
def test_every_documented_k_works(
    k: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--k 3`, 4 and 6 used to raise TypeError (no basins to format for k > 2)."""
    actors, prop = random_pair(tmp_path, 7, seed=k)
    code, out, err = run_cli(["landscape", str(actors), str(prop), "--k", str(k)], capsys)
    assert code == 0, err
    assert "local minim" in out or "found by" in out
    code, out, err = run_cli(["landscape", "nixon-1972", "--k", str(k)], capsys)
    assert code == 0, err


def test_exact_without_basins_is_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above BASIN_MAX_ACTORS (30) the exact search keeps minima but no basins; 31 and 32 actors
    used to end in TypeError after the whole search. Shown here with the limit lowered."""
    from realpolitik.models import landscape as L

    monkeypatch.setattr(L, "BASIN_MAX_ACTORS", 6)
    actors, prop = random_pair(tmp_path, 8, seed=3)
    code, out, err = run_cli(["landscape", str(actors), str(prop), "--method", "exact"], capsys)
    assert code == 0, err
    assert "basins not computed" in out and "basin " not in out


def test_heuristic_says_so_and_offers_the_exact_search(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    actors, prop = random_pair(tmp_path, 12, seed=5)
    args = ["landscape", str(actors), str(prop)]
    code, exact_out, _ = run_cli(args, capsys)
    assert code == 0
    code, out, err = run_cli([*args, "--method", "heuristic"], capsys)
    assert code == 0, err
    first = out.splitlines()[1]
    assert first.startswith("heuristic: ") and "found by" in first
    assert "certified" in first and "bound" in first
    assert "--method exact (about" in out
    # the heuristic's best minimum is the exact global minimum here (12 actors, 64 runs)
    best = exact_out.splitlines()[2].split("basin")[0].strip()
    assert best in out


@pytest.mark.parametrize("size", ["1e300", "1e308"])
def test_overflowing_sizes_exit_2(
    size: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Sizes of 1e300 printed NaN-energy minima with exit 0; 1e308 gave IndexError."""
    r = np.random.default_rng(0)
    raw = np.triu(r.integers(1, 6, (6, 6)), 1)
    sizes = [float(size), 2.0, 3.0, 4.0, 5.0, 6.0]
    actors, prop = write_pair(tmp_path, sizes, raw + raw.T)
    for method in ("auto", "heuristic"):
        code, out, err = run_cli(["landscape", str(actors), str(prop), "--method", method], capsys)
        assert code == 2, out
        assert "overflow" in err and "Traceback" not in err and "nan" not in out.lower()
