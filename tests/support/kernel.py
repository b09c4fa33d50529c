"""A real IPython kernel in its own process, for tests of what a notebook user does."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class Kernel:
    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        from jupyter_client.manager import KernelManager

        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(env=env, cwd=str(cwd))
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)

    def execute(self, code: str, timeout: float = 60) -> dict[str, Any]:
        """Run a cell; returns the reply content plus ``outputs`` (the iopub messages' content)."""
        outputs: list[dict[str, Any]] = []

        def keep(msg: dict[str, Any]) -> None:
            if msg["msg_type"] in ("stream", "display_data", "execute_result", "error"):
                outputs.append({"type": msg["msg_type"], **msg["content"]})

        reply = self.client.execute_interactive(code, timeout=timeout, output_hook=keep)
        return {**reply["content"], "outputs": outputs}

    def start(self, code: str) -> str:
        """Send a cell without waiting for it; returns its message id (see :meth:`reply`)."""
        return self.client.execute(code)

    def reply(self, msg_id: str, timeout: float = 60) -> dict[str, Any]:
        """The reply content of a cell sent with :meth:`start`."""
        while True:
            msg = self.client.get_shell_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg["content"]

    def stop(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


def stderr_of(result: dict[str, Any]) -> str:
    return "".join(o.get("text", "") for o in result["outputs"] if o["type"] == "stream" and o["name"] == "stderr")
