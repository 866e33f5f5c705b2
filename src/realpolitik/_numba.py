"""Numba, configured once for every compiled kernel of the package (private).

:func:`njit` is ``numba.njit`` that caches compiled code on disk where Numba can write its cache
(:func:`choose_cache`), and compiles uncached otherwise. Importing this module imports Numba
(about a third of a second): only modules that run compiled kernels import it, lazily.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import Any, TypeVar

import numba
from numba import njit as _numba_njit

#: A function, as the decorator returns it compiled.
F = TypeVar("F", bound=Callable[..., Any])


def njit(**options: Any) -> Callable[[F], F]:
    """``numba.njit``, caching only where Numba can write its cache.

    A read-only install used with an unwritable HOME has nowhere to cache: Numba then raises
    "cannot cache function" at import; here the kernels are compiled uncached instead.
    """

    def decorate(fn: F) -> F:
        if options.get("cache"):
            try:
                compiled: F = _numba_njit(**options)(fn)
                return compiled
            except RuntimeError:  # no cache locator available for this file
                pass
        uncached: F = _numba_njit(**{**options, "cache": False})(fn)
        return uncached

    return decorate


def _writable_dir(path: str) -> bool:
    """True when ``path`` exists or can be made, and a file can be created in it."""
    try:
        os.makedirs(path, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError:
        return False
    return True


def _owned_by_us(path: str) -> bool:
    """A shared temporary folder is used only if this user owns it."""
    if not hasattr(os, "getuid"):
        return True
    try:
        return os.stat(path).st_uid == os.getuid()
    except OSError:
        return False


def choose_cache(in_tree: str, user_wide: str, fallback: str) -> tuple[bool, str | None]:
    """Where Numba may cache compiled kernels.

    Numba caches next to the source (``in_tree``) or in the user's cache folder
    (``user_wide``) and raises "cannot cache function" at import when neither is writable (a
    read-only install and HOME). This returns ``(True, None)`` when Numba's own choice works,
    ``(True, fallback)`` when only ``fallback`` is writable (to be set as Numba's cache folder),
    and ``(False, None)`` when nothing is: then kernels are compiled in each process, uncached.
    """
    if _writable_dir(in_tree) or _writable_dir(user_wide):
        return True, None
    if _writable_dir(fallback) and _owned_by_us(fallback):
        return True, fallback
    return False, None


def _configure_cache() -> bool:
    config: Any = numba.config
    if config.CACHE_DIR:  # the user chose (NUMBA_CACHE_DIR)
        return True
    from numba.misc.appdirs import AppDirs

    uid = os.getuid() if hasattr(os, "getuid") else "user"
    cache, folder = choose_cache(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "__pycache__"),
        AppDirs(appname="numba", appauthor=False).user_cache_dir,
        os.path.join(tempfile.gettempdir(), f"realpolitik-numba-{uid}"),
    )
    if folder is not None:
        config.CACHE_DIR = folder
    return cache


#: Whether compiled kernels are cached on disk (see :func:`choose_cache`).
CACHE = _configure_cache()
