"""Printing as ``click.echo`` prints, for the quick paths that answer without importing Click.

:func:`echoable` tells whether ``click.echo`` would write a text unchanged (a quick path that
would print something else leaves the command line to Click); :func:`write_like_echo` writes it
and reports a failure of the system as the Click command does.
"""

from __future__ import annotations

import sys


def echoable(text: str) -> bool:
    """Whether ``click.echo(text)`` would write ``text`` to standard output unchanged.

    Click removes ANSI escape sequences when the output is not a terminal and re-encodes for a
    stream whose encoding is ASCII; a text free of escapes that is ASCII, or bound for a UTF-8
    stream, is written as it is. Without a standard output (``sys.stdout`` is None) Click
    prints nothing: that is left to Click too."""
    if sys.stdout is None or "\x1b" in text:
        return False
    if text.isascii():
        return True
    import codecs

    try:
        return codecs.lookup(getattr(sys.stdout, "encoding", None) or "ascii").name == "utf-8"
    except LookupError:
        return False


def write_like_echo(text: str) -> None:
    """Write ``text`` and a newline to standard output and flush, as ``click.echo`` does; a
    failure of the system (a closed pipe, a full disk) ends the program with the Click
    command's message and exit status 2."""
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except OSError as exc:
        from realpolitik.cli.options import system_error_message

        message = system_error_message(exc)
        if message is None:
            raise
        sys.stderr.write(f"error: {message}\n")
        sys.exit(2)


def echo_if_plain(text: str) -> bool:
    """Write ``text`` as ``click.echo`` would and return True when that needs no Click
    (:func:`echoable`); return False, writing nothing, otherwise (the quick paths then leave
    the command line to Click)."""
    if not echoable(text):
        return False
    write_like_echo(text)
    return True
