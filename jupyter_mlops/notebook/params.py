"""The one reader of parameters in notebook source: literal assignments, the ``parameters`` cell's
defaults and types, papermill's injected cell, and what a parameter name may be.

A literal is a number, a string, a boolean, None, or a list, tuple or dict (with string keys)
of those, written as such in the source: ``lr = 0.1``, ``layers = [64, 32]``. Only top-level
assignments count; the last one of a name wins, and a later non-literal binding of that name
drops its value (it is then not known from the source). Nothing is evaluated.

Cells with IPython syntax (``%load_ext autoreload``, ``!pip install x``) are read as IPython
runs them: through IPython's own input transformer, loaded only for such a cell.
"""

from __future__ import annotations

import ast
import json
import keyword
import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidInput
from .cells import INJECTED_TAG, PARAMETERS_TAG, Notebook, NotebookError, cell_source, cell_tags

# A literal longer than this (as JSON) is data rather than a captured param: it is left out.
MAX_LITERAL_JSON = 1000

#: Python types a default (or annotation) can give a parameter.
KINDS: dict[str, type] = {
    "bool": bool,
    "int": int,
    "float": float,
    "str": str,
    "list": list,
    "dict": dict,
    "tuple": tuple,
}


# --- names ----------------------------------------------------------------------------------


class InvalidParameterName(InvalidInput):
    """A parameter name that is not a Python identifier (it would be pasted into code)."""


def is_parameter_name(name: object) -> bool:
    """Whether ``name`` can be a notebook parameter: a Python identifier, not a keyword, written
    as Python reads it (``ﬁle`` would silently become ``file``)."""
    return (
        isinstance(name, str)
        and name.isidentifier()
        and not keyword.iskeyword(name)
        and unicodedata.normalize("NFKC", name) == name
    )


def check_parameter_names(names: Iterable[object], where: str = "") -> None:
    """Refuse every name that is not a parameter name, in one :class:`InvalidParameterName`.

    Parameter names are written into the code of the injected parameters cell, so this runs
    before anything is stored or any kernel starts, for every face (CLI, REST, widgets,
    sweeps, pipelines, controls)."""
    bad = [name for name in names if not is_parameter_name(name)]
    if not bad:
        return
    shown = ", ".join(_short(name) for name in bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
    place = f"{where}: " if where else ""
    raise InvalidParameterName(
        f"{place}{shown} {'is not a parameter name' if len(bad) == 1 else 'are not parameter names'}; "
        "a parameter name is a Python identifier (letters, digits and _, not starting with a "
        "digit) that is not a keyword, e.g. lr or batch_size"
    )


def _short(name: object, limit: int = 60) -> str:
    text = repr(name)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- literals -------------------------------------------------------------------------------


class _NotLiteral(Exception):
    pass


def _literal(node: ast.AST) -> Any:
    if isinstance(node, ast.Constant):
        value = node.value
        if value is None or isinstance(value, (bool, int, float, str)):
            if isinstance(value, float) and not math.isfinite(value):
                raise _NotLiteral
            return value
        raise _NotLiteral  # bytes, complex, Ellipsis
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _literal(node.operand)
        if isinstance(operand, bool) or not isinstance(operand, (int, float)):
            raise _NotLiteral
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_literal(item) for item in node.elts]
    if isinstance(node, ast.Dict):
        result = {}
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            if key_node is None:  # {**other}
                raise _NotLiteral
            name = _literal(key_node)
            if not isinstance(name, str):
                raise _NotLiteral
            result[name] = _literal(value_node)
        return result
    raise _NotLiteral


def literal_value(node: ast.AST, limit: int | None = MAX_LITERAL_JSON) -> tuple[bool, Any]:
    """``(True, value)`` when ``node`` is a literal (of at most ``limit`` characters as JSON),
    else ``(False, None)``. Tuples come back as lists: their JSON form."""
    try:
        value = _literal(node)
    except (_NotLiteral, RecursionError):
        return False, None
    if limit is not None:
        if isinstance(value, (list, dict)) and len(json.dumps(value)) > limit:
            return False, None
        if isinstance(value, str) and len(value) > limit:
            return False, None
    return True, value


def assignment_pairs(node: ast.stmt) -> list[tuple[str, ast.expr]]:
    """(name, value) pairs of a plain assignment statement."""
    if isinstance(node, ast.AnnAssign):
        return [(node.target.id, node.value)] if isinstance(node.target, ast.Name) and node.value else []
    if not isinstance(node, ast.Assign):
        return []
    pairs: list[tuple[str, ast.expr]] = []
    for target in node.targets:
        if isinstance(target, ast.Name):
            pairs.append((target.id, node.value))
        elif (isinstance(target, (ast.Tuple, ast.List)) and isinstance(node.value, (ast.Tuple, ast.List))
              and len(target.elts) == len(node.value.elts)):
            pairs.extend((t.id, v) for t, v in zip(target.elts, node.value.elts, strict=True)
                         if isinstance(t, ast.Name))
    return pairs


def bound_names(node: ast.stmt) -> set[str]:
    """Every name a statement may bind or delete, nested blocks included."""
    names = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
            names.add(child.id)
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(child.name)
        elif isinstance(child, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in child.names)
    return names


# --- parsing a cell -------------------------------------------------------------------------

_transformer: Any = None


def ipython_to_python(source: str) -> str:
    """``source`` with IPython syntax (``%magic``, ``!shell``, ``x?``) turned into the Python
    IPython runs for it; unchanged where IPython is not installed."""
    global _transformer
    if _transformer is None:
        try:
            from IPython.core.inputtransformer2 import TransformerManager
        except ImportError:
            return source
        _transformer = TransformerManager()
    return str(_transformer.transform_cell(source))


def parse_cell(source: str) -> ast.Module:
    """The syntax tree of a code cell, read as IPython would run it (raises SyntaxError)."""
    try:
        return _parse(source)
    except SyntaxError:
        transformed = ipython_to_python(source)
        if transformed == source:
            raise
        return _parse(transformed)


def _parse(source: str) -> ast.Module:
    try:
        return ast.parse(source)
    except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, absurd nesting
        raise SyntaxError(str(exc) or type(exc).__name__) from None


def literal_assignments(source: str | ast.Module) -> dict[str, Any]:
    """Names assigned a literal at the top level of ``source``, with their final literal value.

    Names starting with an underscore are left out. Code that does not parse gives ``{}``.
    """
    if isinstance(source, str):
        try:
            tree = parse_cell(source)
        except SyntaxError:
            return {}
    else:
        tree = source
    found: dict[str, Any] = {}
    for statement in tree.body:
        literals = {}
        for name, value in assignment_pairs(statement):
            ok, literal = literal_value(value)
            if ok and not name.startswith("_"):
                literals[name] = literal
        for name in bound_names(statement):
            found.pop(name, None)
        found.update(literals)
    return found


def notebook_parameters(cells: Iterable[tuple[str, Iterable[str]]]) -> dict[str, Any]:
    """Literal params of a notebook's ``parameters`` cells, overridden by papermill's
    ``injected-parameters`` cells, from ``(source, tags)`` pairs in notebook order."""
    defaults: dict[str, Any] = {}
    injected: dict[str, Any] = {}
    for source, tags in cells:
        tag_set = set(tags)
        if INJECTED_TAG in tag_set:
            injected.update(literal_assignments(source))
        elif PARAMETERS_TAG in tag_set:
            defaults.update(literal_assignments(source))
    return {**defaults, **injected}


# --- the parameters cell --------------------------------------------------------------------


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


def read_parameters_cell(source: str, origin: str = "the notebook") -> dict[str, ParameterSpec]:
    """The names a ``parameters`` cell assigns at top level, with their literal defaults.

    A name's default is its last literal value (see :func:`literal_assignments`); its kind is
    its annotation (``batch: int = 32.0``), else the type of its last literal."""
    try:
        tree = parse_cell(source)
    except SyntaxError as exc:
        raise NotebookError(
            f"the parameters cell of {origin} is not valid Python (line {exc.lineno}: {exc.msg}); "
            "fix the cell so that it runs"
        ) from None
    values = literal_assignments(tree)
    kinds: dict[str, str | None] = {}
    for statement in tree.body:
        annotated = None
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            pairs: list[tuple[str, ast.expr | None]] = [(statement.target.id, statement.value)]
            annotated = _annotated(statement.annotation)
        elif isinstance(statement, ast.Assign):
            pairs = list(assignment_pairs(statement))
        else:
            continue
        for name, node in pairs:
            # a later computed value keeps the type of the earlier literal
            kinds[name] = annotated or _kind_of_node(node) or kinds.get(name)
    specs: dict[str, ParameterSpec] = {}
    for name, kind in kinds.items():
        if name in values:
            default = values[name]
            kind = kind or _kind_of(default)
            if kind == "tuple" and isinstance(default, list):
                default = tuple(default)
            specs[name] = ParameterSpec(name, kind, default, literal=True)
        else:
            specs[name] = ParameterSpec(name, kind)
    return specs


def _annotated(annotation: ast.expr | None) -> str | None:
    return annotation.id if isinstance(annotation, ast.Name) and annotation.id in KINDS else None


def _kind_of_node(node: ast.expr | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, ast.Tuple):
        return "tuple" if literal_value(node, limit=None)[0] else None
    ok, value = literal_value(node, limit=None)
    return _kind_of(value) if ok else None


def _kind_of(value: Any) -> str | None:
    for kind, python_type in KINDS.items():  # bool before int: True is an int too
        if type(value) is python_type:
            return kind
    return None


def kind_of(value: Any) -> str | None:
    """The parameter kind a value has (``None`` for None and other types)."""
    return _kind_of(value)


def _python_notebook(notebook: Notebook) -> bool:
    language = notebook.language
    return language is None or language.lower() == "python"


def parameter_specs(notebook: Notebook) -> dict[str, ParameterSpec] | None:
    """The notebook's parameters, or None when no cell is tagged ``parameters``."""
    found = notebook.parameters_cell()
    if found is None:
        return None
    if not _python_notebook(notebook):
        return {}  # other languages: no syntax tree to read, values pass as given
    return read_parameters_cell(found[1], notebook.origin)


def injected_names(notebook: Notebook) -> list[str] | None:
    """The names papermill's injected parameters cell(s) assign, in order (a run's snapshot
    has one with the values it was given); None for a notebook not in Python."""
    if not _python_notebook(notebook):
        return None
    names: dict[str, None] = {}
    for cell in notebook.cells:
        if cell.get("cell_type") == "code" and INJECTED_TAG in cell_tags(cell):
            try:
                tree = parse_cell(cell_source(cell))
            except SyntaxError:
                continue
            for statement in tree.body:
                names.update((name, None) for name, _ in assignment_pairs(statement))
    return list(names)


__all__ = [
    "KINDS",
    "MAX_LITERAL_JSON",
    "InvalidParameterName",
    "ParameterSpec",
    "assignment_pairs",
    "bound_names",
    "check_parameter_names",
    "injected_names",
    "ipython_to_python",
    "is_parameter_name",
    "kind_of",
    "literal_assignments",
    "literal_value",
    "notebook_parameters",
    "parameter_specs",
    "parse_cell",
    "read_parameters_cell",
]
