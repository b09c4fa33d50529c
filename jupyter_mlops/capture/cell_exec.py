"""Running a cell's code as one tracked run, as ``%%track`` does (and a controls press).

The cell runs unchanged in the user's namespace: what it prints and displays, its value and its
exception (with its traceback) are the same as without tracking. A syntax error is shown the way
IPython shows one in a plain cell. Tracking problems become warnings under the cell: they never
stop the user's code.
"""

from __future__ import annotations

import ast
import sys
import traceback
from typing import Any

from ..errors import RunError, first_source_line
from .cellrun import RunSummary, TrackedRun, TrackOptions, current_execution_count
from .params import literal_assignments


def warn(message: str) -> None:
    """A warning the user sees under the cell (stderr), every time it happens."""
    print(f"jupyter-mlops: {message}", file=sys.stderr, flush=True)


def show_summary(summary: RunSummary | None) -> None:
    if summary is None:
        return
    from IPython.display import display

    from ..render.summary import summary_bundle

    display(summary_bundle(summary), raw=True)


def _compile_cell(shell: Any, cell: str) -> tuple[ast.Module, str]:
    """Parse a cell body the way IPython parses a cell; line numbers count the magic line."""
    code = "\n" + shell.transform_cell(cell)  # line 1 of the cell is the %%track line
    count = current_execution_count(shell, []) or shell.execution_count
    cell_name = shell.compile.cache(code, count, raw_code=code)
    return shell.compile.ast_parse(code, filename=cell_name), cell_name


def _execute(shell: Any, tree: ast.Module, cell_name: str) -> None:
    """Run parsed cell code in the user namespace, showing expression values as IPython does."""
    __tracebackhide__ = True
    tree = shell.transform_ast(tree)
    nodes = tree.body
    if not nodes:
        return
    interactivity = shell.ast_node_interactivity
    last = nodes[-1]
    if interactivity == "last_expr_or_assign" and isinstance(last, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        target = last.targets[0] if isinstance(last, ast.Assign) else last.target
        if isinstance(target, ast.Name):  # show the assigned value, as IPython does
            shown = ast.copy_location(ast.Expr(ast.Name(target.id, ast.Load())), last)
            nodes = [*nodes, ast.fix_missing_locations(shown)]
    if interactivity == "none":
        plan = [(nodes, "exec")]
    elif interactivity == "all":
        plan = [([node], "single" if isinstance(node, ast.Expr) else "exec") for node in nodes]
    elif interactivity == "last" or isinstance(nodes[-1], ast.Expr):
        plan = [(nodes[:-1], "exec"), (nodes[-1:], "single")]
    else:
        plan = [(nodes, "exec")]
    for part, mode in plan:
        if not part:
            continue
        module = ast.Module(part, []) if mode == "exec" else ast.Interactive(part)
        code = shell.compile(module, cell_name, mode)
        exec(code, shell.user_global_ns, shell.user_ns)


def _error(exc: BaseException, cell_name: str | None, count: int | None, cell: str) -> RunError:
    """ename, evalue and the traceback from the cell's own code down (the magic's frames left
    out); the run locates the cell in the notebook when it ends."""
    tb = exc.__traceback__
    while tb is not None and cell_name is not None and tb.tb_frame.f_code.co_filename != cell_name:
        tb = tb.tb_next
    if tb is None:  # raised before the cell's code ran (a syntax error)
        text = "".join(traceback.format_exception_only(type(exc), exc))
    else:
        text = "".join(traceback.format_exception(type(exc), exc, tb))
    return RunError.from_exception(exc, traceback=text, execution_count=count, source=cell,
                                   source_line=first_source_line(cell))


def run_tracked_cell(shell: Any, cell: str, options: TrackOptions) -> None:
    """Run ``cell`` as one tracked run; its exception, if any, is raised again unchanged.

    A syntax error is shown the way IPython shows one in a plain cell, and the cell is
    marked failed (the kernel replies with the error) without a traceback of the magic.
    """
    __tracebackhide__ = True
    cell_name = None
    status = "finished"
    error: RunError | None = None
    outer = getattr(shell.displayhook, "exec_result", None)
    tree: ast.Module | None = None
    syntax_error: SyntaxError | None = None
    try:  # parsed first, so that the cell's literal params go with the run's first write
        tree, cell_name = _compile_cell(shell, cell)
    except SyntaxError as exc:
        syntax_error = exc
    try:
        tracked: TrackedRun | None = TrackedRun.begin(
            shell, options, warn, literals=literal_assignments(tree) if tree is not None else None)
    except Exception as exc:  # noqa: BLE001 - the user's work is never blocked by tracking
        warn(f"tracking skipped for this cell: {exc}")
        tracked = None
    try:
        if syntax_error is not None:
            status, error = "failed", _error(syntax_error, None, current_execution_count(shell, []), cell)
            if outer is None:
                raise syntax_error
            try:  # IPython shows the exception being handled
                raise syntax_error
            except SyntaxError:
                shell.showsyntaxerror(syntax_error.filename)
            outer.error_in_exec = syntax_error
            return
        assert tree is not None and cell_name is not None
        _execute(shell, tree, cell_name)
    except KeyboardInterrupt as exc:
        status = "interrupted"
        error = _error(exc, cell_name, current_execution_count(shell, []), cell).replace(
            evalue="interrupted", reason="interrupted")
        raise
    except BaseException as exc:
        status = "failed"
        error = _error(exc, cell_name, current_execution_count(shell, []), cell)
        raise
    finally:
        if tracked is not None:
            show_summary(tracked.finish(status, error, summary=not options.quiet))


__all__ = ["run_tracked_cell", "show_summary", "warn"]
