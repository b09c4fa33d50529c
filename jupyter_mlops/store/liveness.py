"""How a run's process is told alive or gone: the host and pid it runs in (same host: ask the
OS), else its heartbeat, older than :data:`HEARTBEAT_TIMEOUT` for a run that died."""

from __future__ import annotations

import os
import socket

HEARTBEAT_TIMEOUT = 30.0
HOST = socket.gethostname()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
