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

import argparse
import threading
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments
from IPython.utils.process import arg_split

from .capture.cell_exec import run_tracked_cell, show_summary, warn
from .capture.cellrun import TrackedRun, TrackOptions

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


_parsed: dict[tuple[str, str], Any] = {}  # (magic, line) -> arguments: a notebook repeats its lines


def _parse(magic: Any, line: str) -> Any:
    """The magic line split as a shell would (quotes group words and are removed)."""
    key = (magic.__name__, line)
    args = _parsed.get(key)
    if args is None:
        try:
            argv = arg_split(line, posix=True)
        except ValueError as exc:
            raise UsageError(f"cannot read the magic line {line!r}: {exc}") from None
        args = magic.parser.parse_args(argv)
        if len(_parsed) >= 256:
            _parsed.clear()
        _parsed[key] = args
    # a copy, lists included: the cached arguments stay as parsed
    return argparse.Namespace(**{k: list(v) if isinstance(v, list) else v for k, v in vars(args).items()})


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
        run (see :mod:`jupyter_mlops.controls`). Headless it runs once, with its own values.

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
            from .controls.cell import track_with_controls

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
        from .capture.system import default_probes
        from .environment import installed_packages

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
