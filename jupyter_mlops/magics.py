"""IPython magics (``%load_ext jupyter_mlops``): ``%%track``, ``%track start|stop``, ``%runs``.

``%%track`` runs its cell unchanged in the user's namespace, as one run: what the cell
prints and displays, its value and its exception (with its traceback) are the same as
without the magic. What a run records is described in :mod:`jupyter_mlops.capture.cellrun`;
the cell's own source is the last entry of the run's execution record.

Bad input on the magic line (an unknown option, ``--tag`` without ``=``, a ``--param``
that is not a name) is a usage error: the cell does not run. A ``--param`` or
``--metric`` variable that does not exist after the cell is reported as a warning and
not recorded. When the store cannot be used, the cell runs untracked with a warning.
"""

from __future__ import annotations

import ast
import sys
import threading
import traceback
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments
from IPython.utils.process import arg_split

from .capture.cellrun import RunSummary, TrackedRun, TrackOptions, current_execution_count
from .capture.params import literal_assignments

_OPTION_HELP = {
    "name": "name of the run (default: the notebook's name and the cell's execution count)",
    "experiment": "experiment the run belongs to (default: 'default')",
    "param": "record this variable's value after the cell as a param (repeatable)",
    "metric": "record this variable's final value as a metric (repeatable)",
    "tag": "set a tag KEY=VALUE on the run (repeatable)",
    "no_snapshot": "do not store the notebook snapshot (the execution record is still kept)",
    "quiet": "do not show the one-line summary after the cell",
    "controls": "show controls for the cell's literal params and a Run button; each press is a new "
                "tracked run with the controls' values (headless: the cell runs once as it is)",
}


def _track_options(func: Any) -> Any:
    for decorate in reversed([
        argument("--name", "-n", metavar="N", help=_OPTION_HELP["name"]),
        argument("--experiment", "-e", metavar="E", help=_OPTION_HELP["experiment"]),
        argument("--param", "-p", metavar="NAME", action="append", default=[], help=_OPTION_HELP["param"]),
        argument("--metric", "-m", metavar="NAME", action="append", default=[], help=_OPTION_HELP["metric"]),
        argument("--tag", "-t", metavar="K=V", action="append", default=[], help=_OPTION_HELP["tag"]),
        argument("--no-snapshot", action="store_true", help=_OPTION_HELP["no_snapshot"]),
        argument("--quiet", "-q", action="store_true", help=_OPTION_HELP["quiet"]),
        argument("--no-io", action="store_true", help="do not record the files the cell reads and writes"),
    ]):
        func = decorate(func)
    return func


def _parse(magic: Any, line: str) -> Any:
    """The magic line split as a shell would (quotes group words and are removed)."""
    try:
        argv = arg_split(line, posix=True)
    except ValueError as exc:
        raise UsageError(f"cannot read the magic line {line!r}: {exc}") from None
    return magic.parser.parse_args(argv)


def _options(args: Any) -> TrackOptions:
    tags = {}
    for item in args.tag:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--tag takes KEY=VALUE (e.g. --tag stage=dev), got {item!r}")
        tags[key.strip()] = value
    for flag, names in (("--param", args.param), ("--metric", args.metric)):
        for name in names:
            if not name.isidentifier():
                raise UsageError(f"{flag} takes the name of a variable, got {name!r}")
    for flag, value in (("--name", args.name), ("--experiment", args.experiment)):
        if value is not None and not value.strip():
            raise UsageError(f"{flag} must not be empty")
    return TrackOptions(name=args.name, experiment=args.experiment or "default",
                        params=tuple(dict.fromkeys(args.param)), metrics=tuple(dict.fromkeys(args.metric)),
                        tags=tags, snapshot=not args.no_snapshot, quiet=args.quiet, io=not args.no_io)


def warn(message: str) -> None:
    """A warning the user sees under the cell (stderr), every time it happens."""
    print(f"jupyter-mlops: {message}", file=sys.stderr, flush=True)


def show_summary(summary: RunSummary | None) -> None:
    if summary is None:
        return
    from IPython.display import display

    display({"text/plain": summary_text(summary), "text/html": summary_html(summary)}, raw=True)


def summary_text(summary: RunSummary) -> str:
    from .views import format_duration, format_value

    items = "  ".join(f"{key}={format_value(value)}" for key, value in summary.metrics.items())
    if summary.attached:
        head = f"logged to run {summary.run_id} ({summary.name})"
    else:
        head = f"run {summary.run_id} ({summary.name}) {summary.status} in {format_duration(summary.duration)}"
    return head + (f" · {items}" if items else "")


def summary_html(summary: RunSummary) -> str:
    from html import escape

    from .views import format_duration, format_value

    colour = {"finished": "#2e7d32", "failed": "#c62828", "interrupted": "#ef6c00"}.get(summary.status, "#555")
    if summary.attached:
        head = f"logged to run <code>{escape(summary.run_id)}</code> ({escape(summary.name)})"
    else:
        head = (f"run <code>{escape(summary.run_id)}</code> ({escape(summary.name)}) "
                f"<b style=\"color: {colour}\">{escape(summary.status)}</b> "
                f"in {escape(format_duration(summary.duration))}")
    items = " ".join(f"<code>{escape(key)}={escape(format_value(value))}</code>"
                     for key, value in summary.metrics.items())
    return (f"<div class=\"jupyter-mlops-summary\" data-run-id=\"{escape(summary.run_id)}\" "
            f"style=\"font-size: 0.9em; opacity: 0.85\">{head}{' · ' + items if items else ''}</div>")


# --- running a cell ------------------------------------------------------------------


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


def _error(exc: BaseException, cell_name: str | None, count: int | None) -> dict[str, Any]:
    """ename, evalue and the traceback from the cell's own code down (the magic's frames left out)."""
    tb = exc.__traceback__
    while tb is not None and cell_name is not None and tb.tb_frame.f_code.co_filename != cell_name:
        tb = tb.tb_next
    if tb is None:  # raised before the cell's code ran (a syntax error)
        text = "".join(traceback.format_exception_only(type(exc), exc))
    else:
        text = "".join(traceback.format_exception(type(exc), exc, tb))
    error: dict[str, Any] = {"ename": type(exc).__name__, "evalue": str(exc), "traceback": text}
    if count is not None:
        error["execution_count"] = count
    return error


def run_tracked_cell(shell: Any, cell: str, options: TrackOptions) -> None:
    """Run ``cell`` as one tracked run; its exception, if any, is raised again unchanged.

    A syntax error is shown the way IPython shows one in a plain cell, and the cell is
    marked failed (the kernel replies with the error) without a traceback of the magic.
    """
    __tracebackhide__ = True
    try:
        tracked: TrackedRun | None = TrackedRun.begin(shell, options, warn)
    except Exception as exc:  # noqa: BLE001 - the user's work is never blocked by tracking
        warn(f"tracking skipped for this cell: {exc}")
        tracked = None
    cell_name = None
    status, error = "finished", None
    outer = getattr(shell.displayhook, "exec_result", None)
    try:
        try:
            tree, cell_name = _compile_cell(shell, cell)
        except SyntaxError as exc:
            status, error = "failed", _error(exc, None, current_execution_count(shell, []))
            if outer is None:
                raise
            shell.showsyntaxerror(exc.filename)
            outer.error_in_exec = exc
            return
        if tracked is not None:
            tracked.note_literals(literal_assignments(tree))
        _execute(shell, tree, cell_name)
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    except BaseException as exc:
        status = "failed"
        error = _error(exc, cell_name, current_execution_count(shell, []))
        raise
    finally:
        if tracked is not None:
            show_summary(tracked.finish(status, error, summary=not options.quiet))


# --- the magics ----------------------------------------------------------------------


@magics_class
class TrackMagics(Magics):
    """``%%track``, ``%track start|stop`` and ``%runs``."""

    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self.span: TrackedRun | None = None

    @cell_magic("track")
    @magic_arguments(name="%track")
    @_track_options
    @argument("--controls", action="store_true", help=_OPTION_HELP["controls"])
    def track_cell(self, line: str, cell: str) -> Any:
        """Run this cell as a tracked run.

        The run records the cell's params (literal assignments such as ``lr = 0.1``, the
        notebook's ``parameters`` cell, and ``--param`` variables), every
        ``mlops.log_metric`` the cell makes plus ``--metric`` variables, the notebook
        snapshot, the execution record (the cells run so far, with out-of-order and
        stale flags; the last one is this cell), the environment and system metrics
        (CPU, memory, GPU). An exception marks the run failed and is then raised as
        usual; an interrupt marks it interrupted. A one-line summary follows the cell.

        Inside a notebook executed by ``jupyter mlops run``, the cell logs into that run.

        ``--controls`` shows controls for the cell's literal params and a Run button instead
        of running the cell: each press runs it with the controls' values as a new tracked
        run (see :mod:`jupyter_mlops.control_panel`). Headless it runs once, with its own values.

        Example::

            %%track --name baseline --param model --metric acc --tag stage=dev
            lr = 0.1
            for step in range(100):
                mlops.log_metric("loss", 1 / (step + 1))
        """
        __tracebackhide__ = True
        args = _parse(self.track_cell, line)
        options = _options(args)
        if args.controls:
            from .control_panel.cell import track_with_controls

            return track_with_controls(self.shell, cell, options, line)
        run_tracked_cell(self.shell, cell, options)
        return None

    @line_magic("track")
    @magic_arguments(name="track")
    @argument("action", choices=("start", "stop"), help="start a run spanning the next cells, or stop it")
    @_track_options
    def track_line(self, line: str) -> None:
        """Track a run spanning several cells: ``%track start [OPTIONS]`` … ``%track stop``.

        Options are those of ``%%track`` and go with ``start`` (``stop`` takes
        ``--quiet`` only). Literal assignments of every cell run in between are captured
        as params; the snapshot and execution record are stored at ``stop``.

        Example::

            %track start --name exploration --tag stage=dev
            ...
            %track stop
        """
        args = _parse(self.track_line, line)
        if args.action == "start":
            self.start_span(_options(args))
            return
        if any((args.name, args.experiment, args.param, args.metric, args.tag, args.no_snapshot)):
            raise UsageError("%track stop takes no options but --quiet; give them to %track start")
        self.stop_span(quiet=args.quiet)

    def start_span(self, options: TrackOptions) -> None:
        if self.span is not None:
            raise UsageError(f"run {self.span.id} started with %track start is still open; "
                             "end it with %track stop first")
        try:
            self.span = TrackedRun.begin(self.shell, options, warn, capture_notebook=False)
        except Exception as exc:  # noqa: BLE001 - the user's work is never blocked by tracking
            warn(f"tracking skipped: could not start the run: {exc}")
            return
        if not options.quiet:
            print(f"run {self.span.id} started; end it with %track stop")

    def stop_span(self, quiet: bool = False) -> None:
        span = self.span
        if span is None:
            raise UsageError("no run to stop: start one with %track start [--name N] (or use %%track on a cell)")
        self.span = None
        show_summary(span.finish("finished", capture_notebook=True, summary=not (quiet or span.options.quiet)))

    def post_run_cell(self, result: Any) -> None:
        """Capture the literal assignments of each cell run while a span is open."""
        span = self.span
        raw = getattr(getattr(result, "info", None), "raw_cell", None)
        if span is not None and raw:
            span.note_cell(raw)

    @line_magic("runs")
    @magic_arguments(name="runs")
    @argument("filter", nargs="*", metavar="FILTER",
              help="filter expression, e.g. metrics.acc >= 0.9 and params.lr < 0.1 (default: all runs)")
    def runs(self, line: str) -> Any:
        """Show the runs of this project's store, newest first: ``%runs [FILTER]``.

        Example::

            %runs params.lr = 0.1 and status = 'finished'
        """
        return show_runs(line)


def show_runs(filter_text: str) -> Any:
    """The run browser of ``%runs``: the runs matching the filter, newest first.

    Front ends that render widgets get the interactive browser (a bad filter is shown
    under its filter box); others get a plain-text table.
    """
    from .widgets import show_runs as show_browser

    return show_browser(filter_text.strip() or None)


def _warm_up() -> None:
    """Work the first tracked cell would otherwise wait for."""
    try:
        from .capture.environment import installed_packages
        from .capture.system import default_probes

        default_probes()
        installed_packages()
    except Exception:  # noqa: BLE001 - done again, and reported, by the first tracked cell
        pass


_loaded: dict[int, TrackMagics] = {}


def load_ipython_extension(shell: Any) -> None:
    """Register the magics on ``shell`` (``%load_ext jupyter_mlops``)."""
    if id(shell) in _loaded:
        return
    magics = TrackMagics(shell)
    shell.register_magics(magics)
    shell.events.register("post_run_cell", magics.post_run_cell)
    _loaded[id(shell)] = magics
    threading.Thread(target=_warm_up, name="jupyter-mlops-warm-up", daemon=True).start()


def unload_ipython_extension(shell: Any) -> None:
    """Stop an open ``%track start`` run and the span capture (``%unload_ext jupyter_mlops``)."""
    magics = _loaded.pop(id(shell), None)
    if magics is None:
        return
    shell.events.unregister("post_run_cell", magics.post_run_cell)
    if magics.span is not None:
        magics.stop_span(quiet=True)


__all__ = ["TrackMagics", "load_ipython_extension", "run_tracked_cell", "show_runs", "unload_ipython_extension"]
