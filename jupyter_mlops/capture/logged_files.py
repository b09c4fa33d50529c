"""``mlops.log_input`` and ``mlops.log_output``: file records a run states itself.

For what audit hooks cannot see (a DataFrame built in memory, a file opened by C code) or
to give a file a name and a context. A DataFrame's digest is taken over its content
(``pandas.util.hash_pandas_object``, index included) and its column names and types.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from typing import Any

from ..errors import InvalidInput, NoActiveRun
from . import files as capture

MAX_SCHEMA_COLUMNS = 1000
MAX_NAME = 250


def log_input(path_or_dataframe: Any, name: str | None = None, context: str | None = "training") -> Any:
    """Record a file (or a pandas DataFrame) as an input of the active run; returns its FileRef."""
    _check_text("name", name)
    _check_text("context", context)
    store, run_id = _target()
    if _is_dataframe(path_or_dataframe):
        ref = _dataframe_ref(path_or_dataframe, name, context)
    else:
        ref = _file_ref(store, path_or_dataframe, "input", name, context, what="log_input")
    store.files.record(run_id, [ref])
    return ref


def log_output(path: Any, name: str | None = None) -> Any:
    """Record a file the active run wrote as its output; returns its FileRef."""
    _check_text("name", name)
    store, run_id = _target()
    ref = _file_ref(store, path, "output", name, None, what="log_output")
    store.files.record(run_id, [ref])
    return ref


def _target() -> tuple[Any, str]:
    from .. import config
    from ..tracking import active_run

    run = active_run()
    if run is not None:
        run.flush()  # a deferred run's row exists before its files do
        return run.store, run.id
    runner_run = os.environ.get(config.RUN_ID_ENV)
    if runner_run:
        from ..store import open_store

        return open_store(), runner_run
    raise NoActiveRun("no active run: log files inside `with mlops.start_run():` or a %%track cell")


def _check_text(what: str, value: Any) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME):
        raise InvalidInput(f"{what} must be non-empty text of at most {MAX_NAME} characters, got {value!r}")


def _is_dataframe(value: Any) -> bool:
    pandas = sys.modules.get("pandas")  # a DataFrame exists only once pandas is imported
    return pandas is not None and isinstance(value, pandas.DataFrame)


def _file_ref(store: Any, path: Any, role: str, name: str | None, context: str | None, *, what: str) -> Any:
    from ..store.files import FileRef, FileState, display_path

    if not isinstance(path, (str, os.PathLike)):
        raise InvalidInput(f"{what} takes a file path (or, for log_input, a pandas DataFrame), "
                           f"not a {type(path).__name__}")
    text = os.fspath(path)
    if isinstance(text, bytes) or not text or "\0" in text:
        raise InvalidInput(f"{what}: {path!r} is not a usable path")
    absolute = os.path.abspath(text)
    if os.path.isdir(absolute):
        raise InvalidInput(f"{what}: {text!r} is a directory; log the files in it one by one "
                           "(or register the folder as a model)")
    if not os.path.isfile(absolute):
        raise InvalidInput(f"{what}: no file at {text!r} (looked at {absolute}); check the path "
                           "relative to the kernel's working directory")
    state = FileState.of(absolute)
    with capture.ignoring():  # our own read is not the run's input
        digest = store.files.digest(state)
    return FileRef(path=display_path(store, absolute), role=role, digest=digest, size=state.size,
                   modified_at=state.mtime_ns / 1e9, name=name, context=context)


def _dataframe_ref(frame: Any, name: str | None, context: str | None) -> Any:
    from pandas.util import hash_pandas_object

    from ..store.files import FileRef

    columns = {str(column): str(dtype) for column, dtype in list(frame.dtypes.items())[:MAX_SCHEMA_COLUMNS]}
    digest = hashlib.sha256(json.dumps([list(columns.items()), len(frame.columns)]).encode())
    try:
        digest.update(hash_pandas_object(frame, index=True).to_numpy().tobytes())
    except TypeError:  # unhashable cells (lists, dicts): their text stands for them
        digest.update(hash_pandas_object(frame.astype(str), index=True).to_numpy().tobytes())
    hexdigest = digest.hexdigest()
    label = name or f"dataframe-{hexdigest[:12]}"
    return FileRef(path=f"dataframe:{label}", role="input", digest=f"sha256:{hexdigest}",
                   size=int(frame.memory_usage(deep=False).sum()), modified_at=None, name=name, context=context,
                   details={"rows": len(frame), "columns": columns})


__all__ = ["log_input", "log_output"]
