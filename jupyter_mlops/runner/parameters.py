"""Values given for a notebook's parameters, converted to the types of the ``parameters``
cell's defaults (read by :mod:`jupyter_mlops.notebook.params`).

``-p lr 1`` with ``lr = 0.1`` in the cell gives ``1.0``; ``-p epochs ten`` with ``epochs = 5``
is refused, before any kernel starts. A name the cell does not define, or one whose default
is ``None``, takes papermill's own typing of ``-p`` text (:func:`parse_text`), so a notebook
gets the same value from either tool. Names the cell does not define are passed through
(papermill injects them anyway) and reported, so the caller can warn.
"""

from __future__ import annotations

import ast
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..notebook.cells import Notebook
from ..notebook.params import ParameterSpec, check_parameter_names, parameter_specs
from .errors import ParameterError

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


class TextValue(str):
    """A value typed as text (``-p``, ``--grid``): read as a number, bool, ... where the
    parameter's type says so, or by papermill's rules when the notebook gives no type.
    A plain ``str`` (``-r``, YAML, JSON) stays text where the notebook gives no type."""


@dataclass
class ResolvedParameters:
    values: dict[str, Any] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)  # names the parameters cell does not define
    no_parameters_cell: bool = False  # papermill injects them at the top of the notebook


def resolve_parameters(notebook: Notebook, given: Mapping[str, Any]) -> ResolvedParameters:
    """Convert ``given`` to the types of the notebook's defaults; every problem in one error."""
    if not given:
        return ResolvedParameters()
    check_parameter_names(given)
    specs = parameter_specs(notebook)
    result = ResolvedParameters(no_parameters_cell=specs is None)
    specs = specs or {}
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
    except (ValueError, TypeError, SyntaxError, OverflowError, RecursionError, MemoryError):
        converted = _FAILED
    if converted is _FAILED:
        assert spec is not None
        raise ParameterError(
            f"parameter {name!r} takes {spec.describe()}; cannot use {_shown(value)}"
        )
    return converted


def _shown(value: Any, limit: int = 80) -> str:
    try:
        text = repr(value)
    except RecursionError:
        text = f"a {type(value).__name__} nested too deeply"
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    """A ``-p`` value for a parameter of no known type, typed exactly as papermill's CLI types
    it (``papermill.cli._resolve_type``): ``True``, ``False``, ``None``, an int, a float, else
    the text as given. Lists and dicts come with ``-y`` or ``-f``."""
    if text == "True":
        return True
    if text == "False":
        return False
    if text == "None":
        return None
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            continue
    return str(text)


def _json_value(name: str, value: Any) -> Any:
    if isinstance(value, tuple):
        value = list(value)
    try:
        json.dumps(value, allow_nan=True)
    except RecursionError:
        raise ParameterError(f"parameter {name!r}: its value is nested too deeply") from None
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
