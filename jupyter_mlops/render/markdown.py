"""Markdown for pull-request comments and job summaries, rendered the same on GitHub and GitLab.

Both follow CommonMark with the GFM table extension: any ASCII punctuation may be escaped with a
backslash, a ``|`` inside a table cell must be (even inside a code span), and a raw ``<`` starts
HTML. User text has its line breaks folded into spaces, the characters that start emphasis,
code, links, strike-through, math (``$``), mentions (``@``) and references (``#``) escaped with a
backslash, and ``&`` and ``<`` written as entities (after the backslashes, so an entity's ``;``
stays whole).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_PUNCTUATION = re.compile(r"([\\`*_{}\[\]#!|~>@$])")


_LIST_START = re.compile(r"^(\s*)(?:([-+])|(\d+)([.)]))")


def _unlisted(match: re.Match[str]) -> str:
    indent, bullet, number, delimiter = match.groups()
    return f"{indent}\\{bullet}" if bullet else f"{indent}{number}\\{delimiter}"


def text(value: object) -> str:
    """``value`` as inline Markdown that shows exactly its characters (a leading ``-``, ``+`` or
    ``1.``, which would start a list, escaped too)."""
    raw = " ".join(str(value).split("\n")).replace("\r", " ")
    escaped = _PUNCTUATION.sub(r"\\\1", raw).replace("&", "&amp;").replace("<", "&lt;")
    return _LIST_START.sub(_unlisted, escaped)


def table(header: Sequence[str], rows: Sequence[Sequence[str]], align: Sequence[str] = ()) -> str:
    """A GFM table of cells that are Markdown already (escape user text with :func:`text`)."""
    if not header:
        return ""
    marks = {"left": ":---", "right": "---:", "center": ":---:"}
    rule = [marks.get(align[i] if i < len(align) else "", "---") for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def details(summary_html: str, body: str) -> str:
    """A collapsed ``<details>`` block; the blank lines around ``body`` let it hold Markdown."""
    return f"<details>\n<summary>{summary_html}</summary>\n\n{body.rstrip()}\n\n</details>\n"


def fenced(code: str, language: str = "") -> str:
    """``code`` in a fence longer than any run of backticks inside it."""
    longest = max((len(m) for m in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{code.rstrip()}\n{fence}\n"


__all__ = ["details", "fenced", "table", "text"]
