"""A cell's controllable params, read from its syntax tree, and the cell with new values.

The params are the literal top-level assignments that ``%%track`` records
(:func:`jupyter_mlops.notebook.params.literal_assignments`): the last literal assignment of a
name counts, and a later statement that binds the name again makes it not controllable.
Substitution rewrites only the source text of those literals, found by their positions in
the syntax tree; nothing is evaluated and every other character of the cell stays as it is.
"""

from __future__ import annotations

import ast
import contextlib
import io
import math
import tokenize
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidInput
from ..notebook.params import assignment_pairs, bound_names, literal_value


@dataclass(frozen=True)
class Literal:
    """A literal assigned to ``name``: where its value is written in the cell, and the value."""

    name: str
    value: Any
    start: int  # offsets into the cell source, in characters
    end: int
    first_line: int  # the statement's lines (1-based)
    last_line: int
    choices_comment: str | None = None


@dataclass
class CellParams:
    """What ``--controls`` can offer for a cell."""

    source: str
    literals: dict[str, Literal] = field(default_factory=dict)  # in the order of the cell
    not_controllable: dict[str, str] = field(default_factory=dict)  # name -> why
    syntax_error: SyntaxError | None = None


def _line_starts(source: str) -> list[int]:
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _offset(lines: list[str], starts: list[int], line: int, byte_col: int) -> int:
    """A (1-based line, UTF-8 byte column) position of the syntax tree as a character offset."""
    text = lines[line - 1] if line - 1 < len(lines) else ""
    return starts[line - 1] + len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))


def _comments(source: str) -> dict[int, tuple[str, bool]]:
    """Line -> (comment text, whether the comment is alone on its line)."""
    found: dict[int, tuple[str, bool]] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                alone = not token.line[: token.start[1]].strip()
                found[token.start[0]] = (token.string, alone)
    except (tokenize.TokenError, SyntaxError):
        pass
    return found


def _choices_comment(comments: Mapping[int, tuple[str, bool]], first: int, last: int) -> str | None:
    """A ``# choices:`` comment on the statement's lines, or alone on the line just above it."""
    for line in range(first, last + 1):
        text, _ = comments.get(line, ("", False))
        if "choices" in text.lower():
            return text
    above, alone = comments.get(first - 1, ("", False))
    if alone and "choices" in above.lower():
        return above
    return None


def read_cell(source: str, transform: Callable[[str], str] | None = None) -> CellParams:
    """The literal params of ``source`` with their positions.

    Cells with IPython syntax (``%time``, ``!ls``) are read through ``transform`` (IPython's
    ``transform_cell``); a literal is kept only where its line reads the same in both."""
    parsed_source = source
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        if transform is None:
            return CellParams(source, syntax_error=exc)
        try:
            parsed_source = transform(source)
            tree = ast.parse(parsed_source)
        except SyntaxError as again:
            return CellParams(source, syntax_error=again)
    raw_lines = source.splitlines(keepends=True)
    lines = parsed_source.splitlines(keepends=True)
    starts = _line_starts(source)
    comments = _comments(parsed_source)
    result = CellParams(source)
    literals: dict[str, Literal] = {}
    for statement in tree.body:
        pairs = assignment_pairs(statement)
        first, last = statement.lineno, statement.end_lineno or statement.lineno
        found: dict[str, Literal] = {}
        computed: set[str] = set()
        for name, node in pairs:
            if name.startswith("_"):
                continue
            ok, value = literal_value(node)
            if not ok:
                computed.add(name)
                continue
            same_lines = raw_lines[first - 1 : last] == lines[first - 1 : last]
            if not same_lines:
                result.not_controllable[name] = (
                    "its line holds IPython syntax (%, !) that is not plain Python"
                )
                continue
            start = _offset(raw_lines, starts, node.lineno, node.col_offset)
            end = _offset(
                raw_lines, starts, node.end_lineno or node.lineno, node.end_col_offset or 0
            )
            found[name] = Literal(
                name, value, start, end, first, last, _choices_comment(comments, first, last)
            )
        for name in bound_names(statement):
            if name.startswith("_"):
                continue
            earlier = literals.pop(name, None)
            if name in found:
                result.not_controllable.pop(name, None)
            elif name in computed:
                result.not_controllable[name] = "its value is computed, not a literal"
            elif earlier is not None:
                result.not_controllable[name] = (
                    f"line {first} changes it after its literal on line {earlier.first_line}"
                )
        literals.update(found)
    shared = _shared_values(literals)
    for name, other in shared.items():
        literals.pop(name)
        result.not_controllable[name] = (
            f"it shares one literal with {other} ({other} = {name} = …); "
            "give each its own assignment"
        )
    result.literals = literals
    return result


def _shared_values(literals: Mapping[str, Literal]) -> dict[str, str]:
    """Names whose literal is the very same text as an earlier name's (``a = b = 1``)."""
    seen: dict[tuple[int, int], str] = {}
    shared = {}
    for name, literal in literals.items():
        key = (literal.start, literal.end)
        if key in seen:
            shared[name] = seen[key]
        else:
            seen[key] = name
    return shared


def python_literal(value: Any, original: str = "") -> str:
    """Source text for a control's value (``0.001``, ``'adam'``, ``True``); a text keeps the
    quotes of the ``original`` literal it replaces."""
    if isinstance(value, int):  # bools too
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInput(f"{value} cannot be written as a literal; give a finite number")
        return repr(value)
    if isinstance(value, str):
        written = repr(value)
        if original.lstrip("rRuU")[:1] == '"' and written[0] == "'":
            double = '"' + written[1:-1].replace("\\'", "'").replace('"', '\\"') + '"'
            with contextlib.suppress(ValueError, SyntaxError):
                if ast.literal_eval(double) == value:
                    return double
        return written
    raise InvalidInput(f"a {type(value).__name__} is not a control value")


def substitute(cell: CellParams, values: Mapping[str, Any]) -> str:
    """The cell's source with the literals of ``values``' names replaced by those values."""
    unknown = sorted(set(values) - set(cell.literals))
    if unknown:
        raise InvalidInput(
            f"{', '.join(unknown)}: not a literal param of this cell; its params are "
            f"{', '.join(cell.literals) or 'none'}"
        )
    edits = []
    for name, value in values.items():
        literal = cell.literals[name]
        edits.append((literal, python_literal(value, cell.source[literal.start : literal.end])))
    edits.sort(key=lambda edit: edit[0].start, reverse=True)  # from the end: offsets stay right
    text = cell.source
    for literal, replacement in edits:
        text = text[: literal.start] + replacement + text[literal.end :]
    return text


__all__ = ["CellParams", "Literal", "python_literal", "read_cell", "substitute"]
