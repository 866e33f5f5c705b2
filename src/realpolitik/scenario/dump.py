"""Writing scenarios back to YAML, readably and safely (atomic replace, never a half file)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def to_yaml(data: dict[str, Any]) -> str:
    """Readable YAML for scenario data: keys in the order given, short mappings inline."""
    import yaml

    class _Dumper(yaml.SafeDumper):  # type: ignore[misc]  # PyYAML has no type stubs
        pass

    def _dict(dumper: yaml.SafeDumper, value: dict[str, Any]) -> Any:
        flow = (
            len(value) <= 4
            and all(not isinstance(v, dict | list) for v in value.values())
            and all(len(str(v)) < 40 for v in value.values())
        )
        return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=flow)

    def _list(dumper: yaml.SafeDumper, value: list[Any]) -> Any:
        flow = all(not isinstance(v, dict | list) for v in value) and len(value) <= 12
        return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)

    _Dumper.add_representer(dict, _dict)
    _Dumper.add_representer(list, _list)
    _Dumper.add_representer(tuple, _list)
    return str(yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100))


def write_text_atomic(path: Path, text: str | Iterable[str]) -> None:
    """Write ``text`` (a string, or pieces written one after the other) to ``path`` through a
    temporary file and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            if isinstance(text, str):
                fh.write(text)
            else:
                fh.writelines(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # what open() would have given, not mkstemp's 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_yaml(data: dict[str, Any], path: Path, header: str | None = None) -> None:
    """Write ``data`` as a scenario file at ``path`` (atomically), after an optional comment
    ``header``."""
    text = to_yaml(data)
    if header:
        text = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) + text
    write_text_atomic(path, text)
