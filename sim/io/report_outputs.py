"""What ``tariffsim-report`` writes, all or nothing, and how its errors reach the reader.

:class:`Staged` writes each file under a temporary name beside its final one and renames them all
together when every file is complete; on any error (a full disk, a folder that cannot be written,
Ctrl-C) it removes the temporaries and the folders it made, so nothing new is left under a final
name. :func:`run_command` turns an error into one paragraph on stderr and an exit status.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from sim.io.files import publish, temporary_beside
from sim.io.report_inputs import ReportError

DEBUG = "TARIFFSIM_DEBUG"  # set to 1 to see the traceback of an error


def debug() -> bool:
    """Whether ``TARIFFSIM_DEBUG`` asks for tracebacks."""
    return os.environ.get(DEBUG, "").strip() not in ("", "0", "false", "no")


def _cannot_write(path: Path, why: str) -> ReportError:
    return ReportError(f"{path} cannot be written ({why}). tariffsim-report writes its tables, figures and "
                       "report.html into the study directory (or --out DIR): make it writable, free some "
                       "space, or give --out a writable directory.")


class Staged:
    """A context manager: files written through :meth:`write` appear under their final names only
    when the block ends without an error, all together.

    Example:
        >>> with Staged(out) as staged:                               # doctest: +SKIP
        ...     staged.write(out / "table.parquet", lambda tmp: pq.write_table(table, tmp))
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._staged: list[tuple[Path, Path]] = []
        self._made: list[Path] = []

    def __enter__(self) -> Staged:
        if self.root.exists() and not self.root.is_dir():
            raise _cannot_write(self.root, "it is a file, not a directory")
        return self

    def write(self, path: Path, fill: Callable[[Path], None]) -> None:
        """Fill a temporary file beside ``path`` with ``fill(tmp)``; it becomes ``path`` at the end.

        Raises:
            ReportError: ``path`` or its folder cannot be written.
        """
        path = Path(path)
        if path.is_dir():
            raise _cannot_write(path, "a directory has that name")
        self._made += [folder for folder in reversed(path.parents) if not folder.exists()]
        for folder in path.parents:
            if folder.exists() and not folder.is_dir():
                raise _cannot_write(path, f"{folder} is a file, not a directory")
        try:
            tmp = temporary_beside(path)
        except OSError as error:
            raise _cannot_write(path, error.strerror or str(error)) from None
        self._staged.append((tmp, path))
        try:
            fill(tmp)
        except OSError as error:
            raise _cannot_write(path, error.strerror or str(error)) from None

    def _publish_all(self) -> None:
        published: list[Path] = []
        try:
            for tmp, path in self._staged:
                publish(tmp, path)
                published.append(path)
        except OSError as error:
            for path in published:  # all or nothing
                path.unlink(missing_ok=True)
            raise _cannot_write(path, error.strerror or str(error)) from None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            if kind is None:
                self._publish_all()
        finally:
            for tmp, _ in self._staged:
                tmp.unlink(missing_ok=True)
            if kind is not None or any(not path.exists() for _, path in self._staged):
                for folder in reversed(self._made):
                    try:
                        folder.rmdir()  # only if empty: never what was there before
                    except OSError:
                        pass


def run_command(prog: str, action: Callable[[], int], errors: dict[type[Exception], int], context: str,
                show_traceback: bool) -> int:
    """Run ``action`` and turn its errors into one paragraph on stderr and an exit status.

    Args:
        prog: The command's name, in front of every message.
        action: What the command does; returns the exit status.
        errors: Expected error types (most specific first) and their exit statuses: the message is theirs.
        context: What was being done, for an unexpected error (``"while reporting DIR"``).
        show_traceback: Print the traceback too (``TARIFFSIM_DEBUG=1``).

    Returns:
        The exit status: the action's, one from ``errors``, 2 for a file system error, 130 for
        Ctrl-C, 1 for anything unexpected.
    """
    try:
        return action()
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; nothing new was left under a final name. Run the same command again.",
              file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - every error becomes a message, not a traceback
        if show_traceback:
            traceback.print_exc()
        for kind, status in errors.items():
            if isinstance(error, kind):
                print(f"{prog}: {error}", file=sys.stderr)
                return status
        if isinstance(error, OSError):
            where = f" {error.filename}" if error.filename else ""
            print(f"{prog}: cannot use{where} ({error.strerror or error}) {context}: check that the path exists "
                  "and that its permissions allow it.", file=sys.stderr)
            return 2
        print(f"{prog}: unexpected {type(error).__name__} {context}: {' '.join(str(error).split())[:300]}. "
              f"This is a bug: run again with {DEBUG}=1 to see the traceback, and report it.", file=sys.stderr)
        return 1
