"""A check's verdict as text, JSON and Markdown: what ``jupyter mlops check`` prints and the
gate table of ``jupyter mlops report``."""

from __future__ import annotations

import math
from typing import Any

from .gates import CheckResult, Gate

PASS, FAIL = "pass", "FAIL"


def number(value: Any) -> str:
    if isinstance(value, float):
        return str(value) if not math.isfinite(value) else f"{value:.6g}"
    return "-" if value is None else str(value)


def signed(delta: float | None) -> str:
    if delta is None:
        return "-"
    return f"{delta:+.6g}" if math.isfinite(delta) else str(delta)


def gate_value(gate: Gate) -> str:
    if gate.kind == "require" and isinstance(gate.value, dict):
        return ", ".join(f"{key}={number(value)}" for key, value in gate.value.items()) or "-"
    return number(gate.value)


def gate_rule(gate: Gate) -> str:
    """What the gate asks, in words."""
    if gate.kind == "status":
        return "finished"
    if gate.kind == "require":
        return gate.name
    better = "higher" if gate.direction == "max" else "lower"
    return f"regression <= {gate.limit} ({better} is better)"


def _subject(result: CheckResult) -> str:
    run = result.run
    against = f" against {result.baseline.id} ({result.baseline.name})" if result.baseline else ""
    return f"run {run.id} ({run.name}){against}"


def check_text(result: CheckResult) -> str:
    from ..render.text import text_table

    rows = [[PASS if g.passed else FAIL, g.name, gate_value(g), number(g.baseline), signed(g.delta),
             gate_rule(g) if g.kind != "require" else "holds", g.detail] for g in result.gates]
    verdict = "passed" if result.passed else f"FAILED ({len(result.failed)} of {len(result.gates)} gates)"
    return (f"check {verdict}: {_subject(result)}\n"
            + text_table(["", "gate", "value", "baseline", "delta", "rule", "detail"], rows, max_width=100))


def check_json(result: CheckResult) -> str:
    from ..render.export import strict_json

    return strict_json(result.to_dict()) + "\n"


def gate_table_markdown(result: CheckResult) -> str:
    from ..render import markdown as md

    rows = [[("✅ pass" if g.passed else "❌ **fail**"), md.text(g.name), md.text(gate_value(g)),
             md.text(number(g.baseline)), md.text(signed(g.delta)), md.text(gate_rule(g)),
             md.text(g.detail) if g.detail else ""] for g in result.gates]
    return md.table(["", "gate", "value", "baseline", "delta", "rule", "detail"], rows,
                    ["left", "left", "right", "right", "right", "left", "left"])


def check_markdown(result: CheckResult) -> str:
    from ..render import markdown as md

    verdict = "✅ passed" if result.passed else f"❌ failed ({len(result.failed)} of {len(result.gates)} gates)"
    return f"**Check {verdict}**: {md.text(_subject(result))}\n\n" + gate_table_markdown(result)


FORMATS = {"text": check_text, "json": check_json, "markdown": check_markdown}

__all__ = ["FORMATS", "check_json", "check_markdown", "check_text", "gate_table_markdown", "gate_value",
           "gate_rule", "number", "signed"]
