"""The papermill engine of the runner: papermill's execution manager and notebook client, on a
kernel launched ahead of time, that stops starting cells once an execution is cancelled and
ends the kernel as soon as the notebook is done.

Kept apart from :mod:`.execute` because it imports papermill (and so nbformat), which the
rest of the runner avoids until a notebook really runs.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Protocol

from nbclient.exceptions import CellExecutionError
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NotebookExecutionManager

from ..capture.files import RUNNER_SETUP

if TYPE_CHECKING:
    import nbformat

    from .kernels import PreparedKernel

logger = logging.getLogger("jupyter_mlops.runner")

#: Run in a Python kernel once its notebook is done: write what the tracking API buffered and
#: end the runs the notebook left open, as interpreter exit would. The kernel is then killed,
#: so other exit handlers of the notebook do not run (as when any kernel is killed).
FLUSH_TRACKING = (
    "import sys as _mlops_sys\n"
    "_mlops_tracking = _mlops_sys.modules.get('jupyter_mlops.tracking.hooks')\n"
    "if _mlops_tracking is not None:\n"
    "    _mlops_tracking.at_exit()\n"
    "_mlops_files = _mlops_sys.modules.get('jupyter_mlops.capture.files')\n"
    "if _mlops_files is not None:\n"
    "    _mlops_files.finish_all()\n"
)
FLUSH_TIMEOUT = 60.0
#: How many kernels an execution may launch before giving up (the first one included).
START_ATTEMPTS = 3


class KernelStartFailed(RuntimeError):
    """The kernel died, or did not answer, while starting."""


class Control(Protocol):
    """What the engine asks of the execution it serves."""

    kernel: PreparedKernel
    language: str | None

    @property
    def stopping(self) -> bool: ...

    def notebook_done(self) -> None: ...

    def relaunch_kernel(self) -> None: ...


class RunnerExecutionManager(NotebookExecutionManager):  # type: ignore[misc]
    """papermill's notebook bookkeeping, except that a stopped execution leaves the cells it
    never ran ``pending`` (papermill marks every pending cell ``completed`` at the end, so a
    notebook interrupted while its kernel started would read as fully run)."""

    def __init__(self, nb: Any, control: Control, **kwargs: Any) -> None:
        super().__init__(nb, **kwargs)
        self.control = control

    def notebook_complete(self, **kwargs: Any) -> None:
        if not self.control.stopping:
            super().notebook_complete(**kwargs)
            return
        pending = [cell for cell in self.nb.cells if cell.metadata.papermill.get("status") == self.PENDING]
        for cell in pending:
            cell.metadata.papermill["status"] = "not run"  # skipped by papermill's clean-up
        try:
            super().notebook_complete(**kwargs)
        finally:
            for cell in pending:
                cell.metadata.papermill["status"] = self.PENDING
            self.save()


class RunnerNotebookClient(PapermillNotebookClient):  # type: ignore[misc]
    """papermill's client, minus the cells an interrupted execution should not start."""

    def __init__(self, nb_man: NotebookExecutionManager, control: Control, **kwargs: Any) -> None:
        super().__init__(nb_man, km=control.kernel.manager, **kwargs)
        self.control = control

    def execute(self, **kwargs: Any) -> Any:
        self.reset_execution_trackers()
        try:
            self._start_kernel()
        except BaseException:
            self.control.notebook_done()
            self.control.kernel.stop()
            raise
        with self.setup_kernel(**kwargs):
            try:
                self.papermill_execute_cells()
                if not self.control.stopping:
                    info = self.wait_for_reply(self.kc.kernel_info())
                    if info is not None and "language_info" in info["content"]:
                        self.nb.metadata["language_info"] = info["content"]["language_info"]
                self.set_widgets_metadata()
            finally:
                self.control.notebook_done()
                self._end_kernel()
        return self.nb

    def _start_kernel(self) -> None:
        """Wait for the kernel; launch a fresh one should it die while starting (a kernel
        given a TCP port that another process took at the same moment does)."""
        for attempt in range(1, START_ATTEMPTS + 1):
            self.km = self.control.kernel.manager
            self.kc = self.control.kernel.connect()  # nbclient then skips its own start-up wait
            try:
                self.wait_for_kernel()
                return
            except KernelStartFailed:
                if attempt == START_ATTEMPTS or self.control.stopping:
                    raise
                self.control.relaunch_kernel()

    def wait_for_kernel(self) -> None:
        """Wait until the kernel answers on shell and IOPub, as ``wait_for_ready`` does but
        without its final 0.2 s of draining IOPub (which every execution would pay): the
        leftover start-up messages belong to no cell and are ignored."""
        from jupyter_core.utils import run_sync

        run_sync(self._async_wait_for_kernel)(self.startup_timeout)

    async def _async_wait_for_kernel(self, timeout: float) -> None:
        from queue import Empty

        deadline = time.monotonic() + timeout
        kc = self.kc
        while True:
            msg_id = kc.kernel_info()
            try:
                reply = await kc.shell_channel.get_msg(timeout=1)
                while reply["parent_header"].get("msg_id") != msg_id:
                    reply = await kc.shell_channel.get_msg(timeout=1)
                await kc.iopub_channel.get_msg(timeout=0.2)  # IOPub is connected too
            except Empty:
                if not self.control.kernel.alive:
                    raise KernelStartFailed(
                        "the kernel died while starting; its last words: "
                        + (self.control.kernel.log_tail(5) or "none")
                    ) from None
                if time.monotonic() > deadline:
                    raise KernelStartFailed(
                        f"the kernel did not answer within {timeout:g} s"
                    ) from None
                continue
            kc._handle_kernel_info_reply(reply)
            return

    def papermill_execute_cells(self) -> None:
        if (self.control.language or "python").lower() == "python":  # files read and written: lineage
            # not waited for: the kernel runs it before the first cell, which is sent after it
            self.kc.execute(RUNNER_SETUP, silent=True, store_history=False, allow_stdin=False)
        for index, cell in enumerate(self.nb.cells):
            if self.control.stopping:
                break
            try:
                self.nb_man.cell_start(cell, index)
                self.execute_cell(cell, index)
            except CellExecutionError as ex:
                self.nb_man.cell_exception(self.nb.cells[index], cell_index=index, exception=ex)
                break
            except BaseException as ex:  # the kernel died or was killed under this cell
                self.nb_man.cell_exception(self.nb.cells[index], cell_index=index, exception=ex)
                raise
            finally:
                self.nb_man.cell_complete(self.nb.cells[index], cell_index=index)

    def _end_kernel(self) -> None:
        """Write what the notebook's tracking buffered, then end the kernel at once."""
        kernel = self.control.kernel
        if (
            not self.control.stopping
            and kernel.alive
            and (self.control.language or "python").lower() == "python"
        ):
            self._run_silently(FLUSH_TRACKING, FLUSH_TIMEOUT)
        kernel.stop(wait=False)

    def _run_silently(self, code: str, timeout: float) -> None:
        from jupyter_core.utils import run_sync

        try:
            msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
            get = run_sync(self.kc.shell_channel.get_msg)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.control.kernel.alive:
                try:
                    reply = get(timeout=min(1.0, max(0.01, deadline - time.monotonic())))
                except Exception:  # noqa: BLE001 - queue.Empty: check the kernel, wait on
                    continue
                if reply["parent_header"].get("msg_id") == msg_id:
                    return
        except Exception as exc:  # noqa: BLE001 - the notebook's result stands regardless
            logger.warning("could not flush the tracking buffer of the kernel: %s", exc)


def execute_notebook(
    nb: nbformat.NotebookNode,
    kernel_name: str,
    control: Control,
    output_path: str | None,
    start_timeout: float = 60,
) -> nbformat.NotebookNode:
    """Execute a prepared (parameterised) notebook on ``control.kernel``; return it with outputs.

    Exceptions of the notebook's cells do not raise here: papermill records them in the
    notebook, and :func:`papermill.execute.raise_for_execution_errors` reports them after.
    """
    nb_man = RunnerExecutionManager(nb, control, output_path=output_path, progress_bar=False)
    control.notebook = nb_man.nb  # type: ignore[attr-defined]
    nb_man.notebook_start()
    try:
        client = RunnerNotebookClient(
            nb_man,
            control,
            kernel_name=kernel_name,
            timeout=None,
            startup_timeout=start_timeout,
            log=logger,
            log_output=False,
        )
        client.execute()
    finally:
        nb_man.cleanup_pbar()
        nb_man.notebook_complete()
    return nb_man.nb
