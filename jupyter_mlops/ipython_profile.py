"""``jupyter mlops enable``: load the extension in every kernel of an IPython profile.

It appends one line to the profile's ``ipython_config.py`` (creating the profile if
needed)::

    c.InteractiveShellApp.extensions.append("jupyter_mlops")

Kernels (``IPKernelApp``) and terminal IPython both read that file, so ``%%track``,
``%track`` and ``%runs`` are there without ``%load_ext``. Running it again changes
nothing: the profile's configuration is evaluated first, and left alone when it already
loads the extension.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InvalidInput, MlopsError

EXTENSION = "jupyter_mlops"
CONFIG_FILE = "ipython_config.py"
_BLOCK = (
    "\n# jupyter-mlops: %%track, %track and %runs in every kernel (added by `jupyter mlops enable`)\n"
    f"c.InteractiveShellApp.extensions.append({EXTENSION!r})\n"
)
_NEW_FILE = "# Configuration file for ipython.\n\nc = get_config()  # noqa: F821\n"


class ProfileError(MlopsError):
    """The IPython profile cannot be read or changed."""


@dataclass(frozen=True)
class EnableResult:
    profile: str
    config_file: Path
    changed: bool

    @property
    def message(self) -> str:
        if self.changed:
            return (f"jupyter-mlops is now loaded by every kernel of IPython profile {self.profile!r} "
                    f"({self.config_file}); restart running kernels to get %%track, %track and %runs")
        return (f"jupyter-mlops is already loaded by every kernel of IPython profile {self.profile!r} "
                f"({self.config_file}); nothing changed")


def profile_dir(profile: str = "default", ipython_dir: str | os.PathLike[str] | None = None,
                create: bool = False) -> Path:
    """The folder of an IPython profile (under ``IPYTHONDIR``, default ``~/.ipython``)."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", profile or "") or profile in (".", ".."):
        raise InvalidInput(f"not a profile name: {profile!r}; use letters, digits, '.', '_' or '-' "
                           "(list profiles with `ipython profile list`)")
    from IPython.core.profiledir import ProfileDir, ProfileDirError
    from IPython.paths import get_ipython_dir

    root = os.fspath(ipython_dir) if ipython_dir is not None else get_ipython_dir()
    try:
        if create:
            Path(root).mkdir(parents=True, exist_ok=True)
            try:
                return Path(ProfileDir.find_profile_dir_by_name(root, profile).location)
            except ProfileDirError:
                return Path(ProfileDir.create_profile_dir_by_name(root, profile).location)
        return Path(ProfileDir.find_profile_dir_by_name(root, profile).location)
    except (ProfileDirError, OSError) as exc:
        raise ProfileError(f"cannot use IPython profile {profile!r} in {root}: {exc}") from exc


def loaded_extensions(config_file: Path) -> list[str]:
    """The extensions a profile's config file loads into kernels (evaluated, as IPython does)."""
    if not config_file.exists():
        return []
    from traitlets.config.loader import LazyConfigValue, PyFileConfigLoader

    try:
        config = PyFileConfigLoader(config_file.name, path=str(config_file.parent)).load_config()
    except Exception as exc:  # noqa: BLE001 - any error in the user's config file
        raise ProfileError(f"cannot read {config_file}: {exc}; fix the file, then run this again") from exc
    names: list[str] = []
    for section in ("InteractiveShellApp", "IPKernelApp"):
        if section not in config or "extensions" not in config[section]:
            continue
        value = config[section]["extensions"]
        names.extend(value.get_value([]) if isinstance(value, LazyConfigValue) else list(value))
    return names


def enable_extension(profile: str = "default", ipython_dir: str | os.PathLike[str] | None = None) -> EnableResult:
    """Make every kernel of ``profile`` load jupyter-mlops; idempotent."""
    folder = profile_dir(profile, ipython_dir, create=True)
    config_file = folder / CONFIG_FILE
    if EXTENSION in loaded_extensions(config_file):
        return EnableResult(profile, config_file, changed=False)
    try:
        existing = config_file.read_text(encoding="utf-8") if config_file.exists() else _NEW_FILE
        if existing and not existing.endswith("\n"):
            existing += "\n"
        config_file.write_text(existing + _BLOCK, encoding="utf-8")
    except OSError as exc:
        raise ProfileError(f"cannot write {config_file}: {exc}") from exc
    return EnableResult(profile, config_file, changed=True)


__all__ = ["EnableResult", "ProfileError", "enable_extension", "loaded_extensions", "profile_dir"]
