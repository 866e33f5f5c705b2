"""Where the IR datasets live: resolving the data directory and the file of each dataset.

Resolution order for the directory: an explicit argument, then the ``REALPOLITIK_DATA_DIR``
environment variable, then a per-user data directory (``$XDG_DATA_HOME/realpolitik`` or
``~/.local/share/realpolitik``). The datasets are never shipped with the package: users fetch
them (``realpolitik data fetch``) or place the official releases there by hand.
"""

from __future__ import annotations

import os
from pathlib import Path

from realpolitik.errors import RealpolitikError

ENV_VAR = "REALPOLITIK_DATA_DIR"


class DataNotFoundError(RealpolitikError, FileNotFoundError):
    """A dataset file (or the data directory) is not where realpolitik looked for it."""


def user_data_dir() -> Path:
    """The per-user default: ``$XDG_DATA_HOME/realpolitik`` or ``~/.local/share/realpolitik``."""
    base = os.environ.get("XDG_DATA_HOME")
    root = Path(base) if base else Path.home() / ".local" / "share"
    return root / "realpolitik"


def data_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """Resolve the data directory.

    Parameters
    ----------
    path
        An explicit directory; wins over everything else.

    Returns
    -------
    Path
        The directory (it is checked to exist).

    Raises
    ------
    DataNotFoundError
        When the resolved directory does not exist; the message says where it looked and how to
        set it.
    """
    if path is not None:
        where, how = Path(path), "the data_dir argument"
    elif os.environ.get(ENV_VAR):
        where, how = Path(os.environ[ENV_VAR]), f"the {ENV_VAR} environment variable"
    else:
        where, how = user_data_dir(), "the default user data directory"
    where = where.expanduser()
    if not where.is_dir():
        raise DataNotFoundError(
            f"IR data directory {where} (from {how}) does not exist. Pass data_dir=..., set "
            f"{ENV_VAR}, or run `realpolitik data fetch` to download the datasets there "
            "(see docs/how-to/data.md)."
        )
    return where


def find_file(key: str, directory: str | os.PathLike[str] | None = None) -> Path:
    """Path of the file holding dataset ``key`` in the data directory.

    Every name the dataset is known under (its official release name first, then the names of
    common repackagings) is tried in order.

    Raises
    ------
    DataNotFoundError
        Naming the dataset, the file names tried, the directory and where to get the release.
    """
    from realpolitik.data.citations import dataset

    info = dataset(key)
    root = data_dir(directory)
    for name in info.files:
        if "*" in name:
            matches = sorted(p for p in root.glob(name) if p.is_file())
            if matches:
                return matches[-1]
            continue
        candidate = root / name
        if candidate.is_file():
            return candidate
    tried = ", ".join(info.files)
    raise DataNotFoundError(
        f"dataset {key!r} ({info.title}) not found in {root}: looked for {tried}. "
        f"Get it from {info.url} and save it under one of those names, or run "
        f"`realpolitik data fetch {key}` (see docs/how-to/data.md)."
    )


def has_file(key: str, directory: str | os.PathLike[str] | None = None) -> bool:
    """Whether dataset ``key`` is present (no error when it is not)."""
    try:
        find_file(key, directory)
    except DataNotFoundError:
        return False
    return True
