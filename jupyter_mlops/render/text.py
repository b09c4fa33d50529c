"""Plain-text renderings of runs: values, durations, times, tables and a run's detail, shared by
the CLI, the runner, the magics and the widgets."""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import describe_error
from .reproduced import reproduced_badge

if TYPE_CHECKING:
    from ..store.entities import Run


def format_value(value: Any) -> str:
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        return f"{value:.6g}"
    if isinstance(value, (list, dict, bool)) or value is None:
        return json.dumps(value)
    return str(value)


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def format_time(timestamp: float | None) -> str:
    if timestamp is None:
        return "-"
    return _dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def _keys(runs: Sequence[Run], attribute: str, limit: int) -> list[str]:
    seen: dict[str, None] = {}
    for run in runs:
        for key in getattr(run, attribute):
            seen.setdefault(key, None)
    keys = [k for k in seen if not k.startswith("system/")]
    return sorted(keys)[:limit]


def table_rows(runs: Sequence[Run], max_params: int = 6, max_metrics: int = 6) -> tuple[list[str], list[list[str]]]:
    params = _keys(runs, "params", max_params)
    metrics = _keys(runs, "metrics", max_metrics)
    header = ["id", "name", "experiment", "status", "started", "duration",
              *(f"params.{k}" for k in params), *(f"metrics.{k}" for k in metrics)]
    rows = []
    for run in runs:
        rows.append([
            run.id, run.name, run.experiment, run.status, format_time(run.started_at),
            format_duration(run.duration),
            *(format_value(run.params[k]) if k in run.params else "" for k in params),
            *(format_value(run.metrics[k]) if k in run.metrics else "" for k in metrics),
        ])
    return header, rows


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], max_width: int = 40) -> str:
    clipped = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in clipped)) if clipped else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in clipped]
    return "\n".join(lines) + "\n"


def runs_table(runs: Sequence[Run]) -> str:
    if not runs:
        return "no runs found\n"
    header, rows = table_rows(runs)
    return text_table(header, rows)


def run_detail_text(run: Run) -> str:
    badge = reproduced_badge(run.tags)
    lines = [
        f"run {run.id}  {run.name}",
        f"  experiment  {run.experiment}",
        f"  status      {run.status}" + (f"  [{badge.label}]" if badge else ""),
        f"  user        {run.user or '-'}",
        f"  source      {run.source}" + (f"  ({run.notebook_path})" if run.notebook_path else ""),
        f"  started     {format_time(run.started_at)}",
        f"  ended       {format_time(run.ended_at)}  ({format_duration(run.duration)})",
    ]
    if run.parent_id:
        lines.append(f"  parent      {run.parent_id}")
    if run.note:
        lines.append(f"  note        {run.note}")

    def section(title: str, items: dict[str, Any]) -> None:
        if items:
            lines.append(f"{title}:")
            width = max(len(k) for k in items)
            lines.extend(f"  {k.ljust(width)}  {format_value(v)}" for k, v in sorted(items.items()))

    section("params", run.params)
    section("metrics", run.metrics)
    section("tags", run.tags)
    section("outputs", run.outputs)
    if run.error:
        lines.append("error:")
        lines.append(f"  {describe_error(run.error)}")
    files = run.files()
    if files:
        lines.append("files (read and written):")
        lines.extend(f"  {f.role:6}  {f.path}  {f.short_digest}  ({f.size} bytes)" for f in files)
    artifacts = run.artifacts()
    if artifacts:
        lines.append("artifacts:")
        lines.extend(f"  {a.name}  ({a.size} bytes)" for a in artifacts)
    env = run.env or {}
    if env:
        lines.append("environment:")
        for key in ("python", "platform", "host"):
            if key in env:
                lines.append(f"  {key.ljust(9)}  {env[key]}")
        git = env.get("git")
        if git:
            dirty = " (dirty)" if git.get("dirty") else ""
            lines.append(f"  git        {git.get('commit', '')[:12]} on {git.get('branch', '')}{dirty}")
        if env.get("packages"):
            lines.append(f"  packages   {len(env['packages'])} installed")
    record = run.execution_record()
    if record:
        lines.append("execution record (cells run by the kernel, in order):")
        for cell in record:
            marks = ", ".join(m for m, on in (("out of order", cell.out_of_order), ("stale", cell.stale)) if on)
            first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            count = "-" if cell.execution_count is None else str(cell.execution_count)
            lines.append(f"  [{count:>3}] {cell.source_hash[:8]}  {first[:60]}" + (f"  <- {marks}" if marks else ""))
    return "\n".join(lines) + "\n"
