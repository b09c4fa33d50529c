"""Notebook parameters: the ``parameters`` cell's defaults, read from its syntax tree, and the
conversion of given values to the types of those defaults.

``-p lr 1`` with ``lr = 0.1`` in the cell gives ``1.0``; ``-p epochs ten`` with ``epochs = 5``
is refused, before any kernel starts. Values for names the cell does not define are passed
through unchanged (papermill injects them anyway) and reported, so the caller can warn.
"""

from __future__ import annotations

import ast
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import NotebookError, ParameterError
from .notebook import Notebook

#: Python types a default (or annotation) can give a parameter.
KINDS: dict[str, type | tuple[type, ...]] = {
    "bool": bool,
    "int": int,
    "float": float,
    "str": str,
    "list": list,
    "dict": dict,
    "tuple": tuple,
}
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


class TextValue(str):
    """A value typed as text (``-p``, ``--grid``): read as a number, bool, ... where the
    parameter's type says so, or by its look when the notebook gives no type."""


@dataclass(frozen=True)
class ParameterSpec:
    """One name assigned in the ``parameters`` cell."""

    name: str
    kind: str | None  # one of KINDS, or None when the default is not a literal (or is None)
    default: Any = None
    literal: bool = False  # the default is a literal we could read

    def describe(self) -> str:
        if self.literal:
            return f"{self.kind or 'any value'} (default {self.default!r} in the parameters cell)"
        return "any value (its default in the parameters cell is not a literal)"


@dataclass
class ResolvedParameters:
    values: dict[str, Any] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)  # names the parameters cell does not define


def read_parameters_cell(source: str, origin: str = "the notebook") -> dict[str, ParameterSpec]:
    """The names a ``parameters`` cell assigns at top level, with their literal defaults."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise NotebookError(
            f"the parameters cell of {origin} is not valid Python (line {exc.lineno}: {exc.msg}); "
            "fix the cell so that it runs"
        ) from exc
    specs: dict[str, ParameterSpec] = {}
    for node in tree.body:
        value: ast.expr | None
        annotation: ast.expr | None
        if isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            annotation = None
            value = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets = [node.target.id]
            annotation = node.annotation
            value = node.value
        else:
            continue
        for name in targets:
            specs[name] = _spec(name, value, annotation)
    return specs


def _spec(name: str, value: ast.expr | None, annotation: ast.expr | None) -> ParameterSpec:
    annotated = (
        annotation.id if isinstance(annotation, ast.Name) and annotation.id in KINDS else None
    )
    if value is None:
        return ParameterSpec(name, annotated)
    try:
        default = ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return ParameterSpec(name, annotated)
    kind = annotated or _kind_of(default)
    return ParameterSpec(name, kind, default, literal=True)


def _kind_of(value: Any) -> str | None:
    for kind, python_type in KINDS.items():  # bool before int: True is an int too
        if type(value) is python_type:
            return kind
    return None


def parameter_specs(notebook: Notebook) -> dict[str, ParameterSpec] | None:
    """The notebook's parameters, or None when no cell is tagged ``parameters``."""
    found = notebook.parameters_cell()
    if found is None:
        return None
    language = notebook.language
    if language is not None and language.lower() != "python":
        return {}  # other languages: no syntax tree to read, values pass as given
    return read_parameters_cell(found[1], notebook.origin)


def resolve_parameters(notebook: Notebook, given: Mapping[str, Any]) -> ResolvedParameters:
    """Convert ``given`` to the types of the notebook's defaults; every problem in one error."""
    if not given:
        return ResolvedParameters()
    specs = parameter_specs(notebook)
    if specs is None:
        raise ParameterError(
            f"{notebook.origin} has no parameters cell, so parameters "
            f"({', '.join(sorted(given))}) have nowhere to go; tag the cell that sets their "
            "defaults with 'parameters' (JupyterLab: the property inspector, gear icon, "
            "> Common Tools > Cell Tags)"
        )
    result = ResolvedParameters()
    problems = []
    for name, value in given.items():
        spec = specs.get(name)
        if spec is None:
            result.unknown.append(name)
        try:
            result.values[name] = coerce(spec, name, value)
        except ParameterError as exc:
            problems.append(str(exc))
    if problems:
        raise ParameterError("; ".join(problems))
    return result


def coerce(spec: ParameterSpec | None, name: str, value: Any) -> Any:
    """``value`` (text from the command line, or a typed value) as the parameter's type."""
    kind = spec.kind if spec is not None else None
    if kind is None:
        return parse_text(value) if isinstance(value, TextValue) else _json_value(name, value)
    try:
        converted = _CONVERTERS[kind](value)
    except (ValueError, TypeError, SyntaxError, OverflowError):
        converted = _FAILED
    if converted is _FAILED:
        assert spec is not None
        raise ParameterError(f"parameter {name!r} takes {spec.describe()}; cannot use {value!r}")
    return converted


_FAILED = object()


def _to_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    return _FAILED


def _to_int(value: Any) -> Any:
    if isinstance(value, bool):
        return _FAILED
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else _FAILED
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            number = float(text)
            return int(number) if number.is_integer() else _FAILED
    return _FAILED


def _to_float(value: Any) -> Any:
    if isinstance(value, bool):
        return _FAILED
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        return float(value.strip())
    return _FAILED


def _to_str(value: Any) -> Any:
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # YAML read `name: 5` as a number
    return _FAILED


def _container(kinds: tuple[type, ...], result: type) -> Any:
    def convert(value: Any) -> Any:
        if isinstance(value, str):
            value = _parse_structured(value)
        if isinstance(value, kinds):
            return result(value)
        return _FAILED

    return convert


_CONVERTERS = {
    "bool": _to_bool,
    "int": _to_int,
    "float": _to_float,
    "str": _to_str,
    "list": _container((list, tuple), list),
    "tuple": _container((list, tuple), tuple),
    "dict": _container((dict,), dict),
}


def _parse_structured(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return ast.literal_eval(text.strip())


def parse_text(text: str) -> Any:
    """A value for a parameter of no known type: a number, bool, None, JSON list/dict, else text."""
    stripped = text.strip()
    lowered = stripped.lower()
    if lowered in ("none", "null"):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    for convert in (int, float):
        try:
            number = convert(stripped)
        except ValueError:
            continue
        if (
            isinstance(number, float)
            and not math.isfinite(number)
            and lowered not in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity")
        ):
            break
        return number
    if stripped[:1] in ("[", "{"):
        try:
            return json.loads(stripped)
        except ValueError:
            pass
    return str(text)


def _json_value(name: str, value: Any) -> Any:
    if isinstance(value, tuple):
        value = list(value)
    try:
        json.dumps(value, allow_nan=True)
    except (TypeError, ValueError) as exc:
        raise ParameterError(
            f"parameter {name!r} must be a number, text, bool, None, list or dict, "
            f"got {type(value).__name__}"
        ) from exc
    return value


def parameters_from_yaml(text: str, origin: str = "-y") -> dict[str, Any]:
    """Parameters from YAML text (``-y``): a mapping of names to values."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ParameterError(f"the parameters in {origin} are not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise ParameterError(
            f"the parameters in {origin} must be a YAML mapping of names to values, "
            "e.g. 'lr: 0.1' or '{lr: 0.1, epochs: 5}'"
        )
    return data


def parameters_from_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parameters from a YAML or JSON file (``-f``)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ParameterError(
            f"cannot read the parameters file {file}: {exc.strerror or exc}"
        ) from exc
    return parameters_from_yaml(text, str(file))


def merge_parameters(*sources: Mapping[str, Any]) -> dict[str, Any]:
    """Later sources win: file, then YAML text, then ``-p`` pairs, as papermill orders them."""
    merged: dict[str, Any] = {}
    for source in sources:
        merged.update(source)
    return merged
