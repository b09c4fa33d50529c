"""Params found without extra code: literal assignments in a cell, the notebook's
``parameters`` / ``injected-parameters`` cells, and variables named on the magic line.

A literal is a number, a string, a boolean, None, or a list, tuple or dict (with string
keys) of those, written as such in the source: ``lr = 0.1``, ``layers = [64, 32]``.
Only top-level assignments count; the last one of a name wins, and a later non-literal
assignment of that name drops it (its value is then not known from the source).
"""

from __future__ import annotations

import ast
import contextlib
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

# A literal longer than this (as JSON) is data rather than a param: it is left out.
MAX_LITERAL_JSON = 1000

PARAMETER_TAGS = ("parameters", "injected-parameters")


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


def literal_value(node: ast.AST) -> tuple[bool, Any]:
    """``(True, value)`` when ``node`` is a literal small enough to be a param, else ``(False, None)``."""
    try:
        value = _literal(node)
    except _NotLiteral:
        return False, None
    if isinstance(value, (list, dict)) and len(json.dumps(value)) > MAX_LITERAL_JSON:
        return False, None
    if isinstance(value, str) and len(value) > MAX_LITERAL_JSON:
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


def literal_assignments(source: str | ast.Module) -> dict[str, Any]:
    """Names assigned a literal at the top level of ``source``, with their final literal value.

    Names starting with an underscore are left out. Code that does not parse gives ``{}``.
    """
    if isinstance(source, str):
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
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
        if "injected-parameters" in tag_set:
            injected.update(literal_assignments(source))
        elif "parameters" in tag_set:
            defaults.update(literal_assignments(source))
    return {**defaults, **injected}


def to_param(value: Any) -> tuple[bool, Any]:
    """``(True, json_value)`` for a value that can be a param (numpy scalars included),
    else ``(False, repr(value))``."""
    if hasattr(value, "dtype") and getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        with contextlib.suppress(Exception):  # an odd object: left to the JSON check
            value = value.item()
    try:
        json.dumps(value, allow_nan=True)
    except (TypeError, ValueError):
        return False, _short_repr(value)
    if isinstance(value, tuple):
        value = list(value)
    return True, value


def _short_repr(value: Any, limit: int = MAX_LITERAL_JSON) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # noqa: BLE001 - a broken __repr__ must not break the cell
        text = f"<{type(value).__name__} (repr failed: {exc})>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def namespace_values(names: Iterable[str], namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The current values of ``names`` that are literals by the rules above (others left out)."""
    values = {}
    for name in names:
        if name in namespace:
            ok, value = to_param(namespace[name])
            if ok and _is_plain(value):
                values[name] = value
    return values


def _is_plain(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return not isinstance(value, float) or math.isfinite(value)
    if isinstance(value, (list, tuple)):
        return all(_is_plain(item) for item in value) and len(json.dumps(value)) <= MAX_LITERAL_JSON
    if isinstance(value, dict):
        return (all(isinstance(k, str) and _is_plain(v) for k, v in value.items())
                and len(json.dumps(value)) <= MAX_LITERAL_JSON)
    return False


__all__ = ["PARAMETER_TAGS", "literal_assignments", "literal_value", "namespace_values", "notebook_parameters",
           "to_param"]
