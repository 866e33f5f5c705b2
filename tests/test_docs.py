"""The documentation builds with MkDocs, warnings as errors, and covers every CLI command."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_mkdocs_builds_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "index.html").exists()


def test_every_cli_command_is_documented() -> None:
    import click

    from realpolitik.cli import cli

    text = (REPO / "docs" / "reference" / "cli.md").read_text()
    ctx = click.Context(cli)
    for name, cmd in cli.commands.items():
        if isinstance(cmd, click.Group):
            for sub in cmd.list_commands(ctx):
                assert f"realpolitik {name} {sub}" in text, (
                    f"docs/reference/cli.md lacks `{name} {sub}`"
                )
        else:
            assert f"realpolitik {name}" in text, f"docs/reference/cli.md lacks `{name}`"


def test_docs_links_point_to_existing_pages() -> None:
    for page in (REPO / "docs").rglob("*.md"):
        for target in re.findall(r"\]\(([^)#]+\.md)", page.read_text()):
            assert (page.parent / target).resolve().exists(), f"{page}: broken link {target}"
