"""The one rule for artifact names, applied when an artifact is logged and when it is served.

An artifact name may contain folders (``plots/loss.png``) but must never read as a path that
leaves a folder: a name the store accepts is a name the REST API can serve, and a name the
API refuses is never stored.
"""

from __future__ import annotations

from ..errors import InvalidInput

RULE = (
    "an artifact name is a relative path such as 'model.pkl' or 'plots/loss.png': no '..' part, "
    "no leading '/' or '\\', no drive letter ('C:'), no NUL character"
)


def check_artifact_name(name: str) -> str:
    """``name`` if it follows :data:`RULE`, else :class:`InvalidInput` quoting the rule."""
    if not isinstance(name, str):
        raise InvalidInput(f"an artifact name must be text, got {type(name).__name__}")
    parts = name.replace("\\", "/").split("/")
    if (
        not name
        or "\x00" in name
        or name.startswith(("/", "\\"))
        or (len(name) > 1 and name[1] == ":")
        or any(part == ".." for part in parts)
    ):
        raise InvalidInput(f"artifact name {name!r} is not allowed: {RULE}")
    return name
