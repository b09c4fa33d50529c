"""References from a pipeline step's parameters to earlier steps' outputs:
``${steps.prep.outputs.path}`` (``$${`` writes a literal ``${``)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import PipelineError

_PLACEHOLDER = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_REFERENCE = re.compile(r"^\s*steps\.([A-Za-z_][A-Za-z0-9_-]*)\.outputs\.([^\s}]+)\s*$")


@dataclass(frozen=True)
class Reference:
    step: str
    output: str


def references_in(value: Any) -> list[Reference]:
    """The ``${steps.X.outputs.Y}`` references anywhere in a parameter value."""
    found: list[Reference] = []
    if isinstance(value, str):
        for match in _PLACEHOLDER.finditer(value):
            if match.group(0) == "$${":
                continue
            inner = match.group(1)
            parsed = _REFERENCE.match(inner)
            if parsed is None:
                raise PipelineError(
                    f"cannot resolve ${{{inner}}}: a reference reads "
                    "${steps.STEP.outputs.NAME} (write $${ for a literal ${)"
                )
            found.append(Reference(parsed.group(1), parsed.group(2)))
    elif isinstance(value, list):
        for item in value:
            found.extend(references_in(item))
    elif isinstance(value, dict):
        for item in value.values():
            found.extend(references_in(item))
    return found


class MissingOutput(Exception):
    def __init__(self, reference: Reference, available: list[str]) -> None:
        names = ", ".join(available) or "none"
        super().__init__(
            f"step {reference.step!r} recorded no output {reference.output!r} "
            f"(its outputs: {names}); record it there with "
            f"mlops.output({reference.output!r}, value)"
        )


def substitute(value: Any, outputs: Mapping[str, Mapping[str, Any]]) -> Any:
    """``value`` with its references replaced by upstream outputs. A string that is exactly one
    reference takes the output's JSON value (a number stays a number); inside longer text the
    output is formatted in."""
    if isinstance(value, list):
        return [substitute(item, outputs) for item in value]
    if isinstance(value, dict):
        return {key: substitute(item, outputs) for key, item in value.items()}
    if not isinstance(value, str):
        return value

    def lookup(inner: str) -> Any:
        parsed = _REFERENCE.match(inner)
        assert parsed is not None  # checked when the pipeline was loaded
        reference = Reference(parsed.group(1), parsed.group(2))
        produced = outputs.get(reference.step, {})
        if reference.output not in produced:
            raise MissingOutput(reference, sorted(produced))
        return produced[reference.output]

    whole = _PLACEHOLDER.fullmatch(value)
    if whole is not None and whole.group(0) != "$${":
        return lookup(whole.group(1))

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$${":
            return "${"
        produced = lookup(match.group(1))
        return produced if isinstance(produced, str) else json.dumps(produced)

    return _PLACEHOLDER.sub(replace, value)
