"""CI gates over runs: which run and baseline a reference names (:mod:`.refs`), the gates and
their verdict (:mod:`.gates`, :mod:`.check`), its renderings (:mod:`.verdict`), a model promoted
only through them (:mod:`.promote`) and the pull-request report (:mod:`.report`).

Below the faces: ``jupyter mlops check|report|promote`` and ``mlops.check`` call these.
"""

from __future__ import annotations

from .check import check
from .gates import CheckResult, Gate, Limit

__all__ = ["CheckResult", "Gate", "Limit", "check"]
