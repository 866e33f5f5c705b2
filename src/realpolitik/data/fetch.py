"""Download the official dataset releases into a data directory, checking SHA-256 checksums.

Only the explicit command ``realpolitik data fetch`` calls :func:`fetch`; nothing else in the
package touches the network, and the tests never do.

What we know and what we do not. For most datasets the providers publish releases on landing
pages whose direct file links change between releases, and none publishes a SHA-256 checksum.
We have not verified a stable direct URL with a checksum for any of them, so the registry
(:mod:`realpolitik.data.citations`) leaves ``download_url`` and ``sha256`` empty rather than guess.
For those, :func:`fetch` downloads nothing: it reports the landing page and the file name to save
the release under. A dataset with a ``download_url`` but no ``sha256`` is downloaded only with
``allow_unverified=True``; its computed checksum is then written to ``SHA256SUMS.fetched`` in the
data directory so that later fetches can be compared with it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FetchResult:
    """What happened to one dataset: ``status`` is downloaded, present, manual or failed."""

    key: str
    status: str
    path: Path | None
    message: str


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def plan(names: list[str] | None = None) -> list[tuple[str, str | None, str | None, str]]:
    """(key, download_url, sha256, file name) for each requested dataset; no network."""
    from realpolitik.data.citations import DATASETS, dataset

    keys = names or sorted(DATASETS)
    return [(k, dataset(k).download_url, dataset(k).sha256, dataset(k).files[0]) for k in keys]


def fetch(
    dest: str | os.PathLike[str],
    names: list[str] | None = None,
    *,
    allow_unverified: bool = False,
    timeout: float = 60.0,
) -> list[FetchResult]:
    """Download the named datasets (default: all) into ``dest``.

    Parameters
    ----------
    dest
        The data directory (created if needed).
    names
        Dataset keys of :data:`realpolitik.data.citations.DATASETS`.
    allow_unverified
        Download entries that have a URL but no published checksum (the computed checksum is
        recorded in ``SHA256SUMS.fetched``).

    Returns
    -------
    list of FetchResult
        One per dataset; ``manual`` says where to download it by hand.
    """
    from realpolitik.data.citations import dataset

    root = Path(dest).expanduser()
    root.mkdir(parents=True, exist_ok=True)
    results = []
    for key, url, digest, fname in plan(names):
        info = dataset(key)
        target = root / fname
        if any((root / f).is_file() for f in info.files if "*" not in f):
            results.append(FetchResult(key, "present", target, "already in the data directory"))
            continue
        if url is None:
            results.append(
                FetchResult(
                    key,
                    "manual",
                    None,
                    f"no verified direct download is known: get the release from {info.url} and save "
                    f"it as {root / fname}",
                )
            )
            continue
        if digest is None and not allow_unverified:
            results.append(
                FetchResult(
                    key,
                    "manual",
                    None,
                    f"{url} has no published SHA-256; rerun with allow_unverified (--allow-unverified) "
                    f"or download it by hand from {info.url}",
                )
            )
            continue
        results.append(_download(key, url, digest, root, fname, timeout))
    return results


def _download(
    key: str, url: str, digest: str | None, root: Path, fname: str, timeout: float
) -> FetchResult:
    """Download one dataset to ``root / fname`` through a ``.part`` file, checking its digest."""
    import urllib.request

    target = root / fname
    tmp = target.with_suffix(target.suffix + ".part")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp, open(tmp, "wb") as out:
            while chunk := resp.read(1 << 20):
                out.write(chunk)
        got = sha256_of(tmp)
        if digest is not None and got != digest:
            tmp.unlink()
            return FetchResult(
                key, "failed", None, f"checksum mismatch: expected {digest}, got {got}"
            )
        tmp.replace(target)
        if digest is None:
            with open(root / "SHA256SUMS.fetched", "a", encoding="utf-8") as fh:
                fh.write(f"{got}  {fname}\n")
        return FetchResult(key, "downloaded", target, f"sha256 {got}")
    except OSError as exc:
        if tmp.exists():
            tmp.unlink()
        return FetchResult(key, "failed", None, f"download failed: {exc}")
