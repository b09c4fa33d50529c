"""Loading a registered model's file into an object, chosen by the file's suffix.

Pickle and joblib run code while loading: they are for stores you trust. skops loads only
the types it trusts and names the others; torch follows its own ``weights_only`` default.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from .errors import MissingDependency, MlopsError, UnknownModelFormat

FORMATS = {".joblib": "joblib", ".pkl": "pickle", ".pickle": "pickle", ".skops": "skops", ".pt": "torch",
           ".pth": "torch"}


class UntrustedModelTypes(MlopsError):
    """A skops file holds types skops does not trust by default."""


def _need(module: str, package: str, suffix: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependency(f"loading a {suffix} model needs {package}: `pip install {package}` "
                                f"(or use ModelVersion.path() and load the file yourself)") from exc


def load_file(path: Path, artifact: str) -> Any:
    """The object in ``path``; ``artifact`` (the version's artifact name) names it in errors."""
    if path.is_dir():
        raise UnknownModelFormat(
            f"{artifact!r} is a directory; load_model reads single files ({', '.join(FORMATS)}). "
            f"Load it with its own library from ModelVersion.path() ({path})")
    suffix = path.suffix.lower()
    kind = FORMATS.get(suffix)
    if kind is None:
        raise UnknownModelFormat(
            f"load_model does not know the format of {artifact!r} (known: {', '.join(FORMATS)}); "
            f"load the file yourself from ModelVersion.path() ({path})")
    if kind == "pickle":
        with open(path, "rb") as handle:
            return pickle.load(handle)  # noqa: S301 - documented: trusted stores only
    if kind == "joblib":
        return _need("joblib", "joblib", suffix).load(path)
    if kind == "skops":
        sio = _need("skops.io", "skops", suffix)
        untrusted = sio.get_untrusted_types(file=path)
        if untrusted:
            raise UntrustedModelTypes(
                f"{artifact!r} holds types skops does not trust by default: {', '.join(untrusted)}. "
                "If you trust them, load it with skops.io.load(version.path(), trusted=[...])")
        return sio.load(path)
    torch = _need("torch", "torch", suffix)
    return torch.load(path, map_location=None if torch.cuda.is_available() else "cpu")
