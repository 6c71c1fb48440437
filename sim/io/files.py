"""Files written atomically: a file in a run directory is complete or absent, never half-written.

Atomic writes, streamed Parquet tables and JSON. Imports nothing else from the package, so that
reading, reporting and plotting results never loads the model.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

NULLABLE_INT_COLUMNS = ("deal_day", "effective_day")  # integers with nulls: pandas reads them as Int64, not float


def pandas_nullable_ints(schema: pa.Schema, columns: tuple[str, ...]) -> pa.Schema:
    """``schema`` with pandas metadata that makes ``pd.read_parquet`` read ``columns`` as ``Int64``
    (nullable integers; without it pandas turns an integer column with nulls into floats)."""
    present = [name for name in columns if name in schema.names]
    if not present:
        return schema
    described = [{"name": name, "field_name": name, "pandas_type": "int64", "numpy_type": "Int64",
                  "metadata": None} for name in present]
    pandas = {"index_columns": [], "column_indexes": [], "columns": described, "pandas_version": pd.__version__}
    return schema.with_metadata({b"pandas": json.dumps(pandas).encode()})


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through ``write(tmp)`` on a temporary name in the same folder, then rename."""
    tmp = temporary_beside(path)
    try:
        write(tmp)
        publish(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def temporary_beside(path: Path) -> Path:
    """A new empty file ``.<name>.<random>.tmp`` in ``path``'s folder (which is created if need be);
    ``sim.io.jobs.clean`` removes such leftovers of an interrupted job."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def publish(tmp: Path, path: Path) -> None:
    """Give the complete temporary file ``tmp`` its final name ``path`` (one atomic rename)."""
    os.chmod(tmp, 0o644)  # mkstemp makes it private; results are for everyone to read
    os.replace(tmp, path)


class TableFiles:
    """Streams tables into ``<name>.parquet`` files, chunk by chunk; a context manager.

    Each chunk of tables is appended to temporary files in ``run_dir`` (one Parquet row group
    per chunk) and dropped from memory. Leaving the ``with`` block normally renames every file
    to its final name; leaving it on an exception deletes them: a run directory never holds a
    half-written result file. (Only a SIGKILL leaves the hidden ``.<name>.parquet.*.tmp`` files;
    ``sim.io.jobs.clean`` removes them when the job is run again.)

    Example:
        >>> with TableFiles(run_dir) as files:                            # doctest: +SKIP
        ...     for tables in pool.map_chunks(scenario, seeds):
        ...         files.write(tables)
    """

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        self._writers: dict[str, tuple[pq.ParquetWriter, Path]] = {}

    def __enter__(self) -> TableFiles:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        writers, self._writers = self._writers, {}
        try:
            for writer, _ in writers.values():
                writer.close()
            if exc_type is None:
                for name, (_, tmp) in writers.items():
                    publish(tmp, self._path(name))
        finally:
            for _, tmp in writers.values():
                tmp.unlink(missing_ok=True)

    def write(self, tables: dict[str, pa.Table]) -> None:
        """Append one chunk of each table (same names and schemas for every chunk)."""
        for name, table in tables.items():
            if name not in self._writers:
                self._writers[name] = self._open(name, table.schema)
            self._writers[name][0].write_table(table)

    def _path(self, name: str) -> Path:
        return self.run_dir / f"{name}.parquet"

    def _open(self, name: str, schema: pa.Schema) -> tuple[pq.ParquetWriter, Path]:
        tmp = temporary_beside(self._path(name))
        try:
            return pq.ParquetWriter(tmp, schema), tmp
        except BaseException:
            tmp.unlink(missing_ok=True)  # not yet in ``_writers``: ``__exit__`` would not see it
            raise


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as indented JSON, atomically."""
    atomic_write(path, lambda tmp: tmp.write_text(json.dumps(data, indent=2) + "\n"))


class NewFiles:
    """Remembers the files a command writes under its output folder, to remove them if it fails.

    Folders that did not exist when it was made are removed too, once empty (a hidden checkpoint
    kept for resuming keeps its folder).

    Args:
        out: The output folder (which may not exist yet).
    """

    def __init__(self, out: Path) -> None:
        self.out = Path(out).absolute()
        self.new_folders = [p for p in (self.out, *self.out.parents) if not p.exists()]
        self.files: list[Path] = []

    def add(self, *paths: Path) -> None:
        """Record files written under their final names."""
        self.files += [Path(p).absolute() for p in paths]

    def remove(self) -> None:
        """Remove the recorded files, then the new folders left empty, deepest first (best effort)."""
        for path in self.files:
            path.unlink(missing_ok=True)
        inside = {p.parent for p in self.files if self.out in p.parent.parents}  # e.g. out/figures
        for folder in sorted(inside | set(self.new_folders), key=lambda p: len(p.parts), reverse=True):
            try:
                folder.rmdir()  # only an empty one goes
            except OSError:
                pass
