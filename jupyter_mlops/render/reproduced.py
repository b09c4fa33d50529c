"""The reproducibility verdict a run carries in its tags, and the badge every face shows for it.

``jupyter mlops reproduce RUN`` tags RUN with ``mlops.reproduced`` (``yes`` / ``no`` / ``failed``)
and its reproduction, a child run, with ``reproduces = RUN``. The CLI's ``show``, the widgets and
the sidebar read the same tag and show the same words in the same colours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .palette import ERROR, STATUS_COLOURS, WARNING, themed

VERDICT_TAG = "mlops.reproduced"
REPRODUCES_TAG = "reproduces"
TOLERANCE_TAG = "mlops.tolerance"  # on the reproduction: the tolerance it is judged with

VERDICTS = ("reproduced", "differs", "failed")
TAG_OF_VERDICT = {"reproduced": "yes", "differs": "no", "failed": "failed"}
VERDICT_OF_TAG = {tag: verdict for verdict, tag in TAG_OF_VERDICT.items()}


@dataclass(frozen=True)
class Badge:
    label: str
    colour: str
    title: str


_BADGES = {
    "reproduced": Badge("reproduced", themed("--jp-success-color1", STATUS_COLOURS["finished"]),
                        "executed again from its snapshot with its own params: every metric matched"),
    "differs": Badge("differs", themed("--jp-warn-color1", WARNING),
                     "executed again from its snapshot with its own params: some metrics differ"),
    "failed": Badge("reproduction failed", themed("--jp-error-color1", ERROR),
                    "executed again from its snapshot with its own params: the execution failed"),
}


def reproduced_badge(tags: Mapping[str, str]) -> Badge | None:
    """The badge of a run's verdict (None when it was never reproduced or the tag is unknown)."""
    verdict = VERDICT_OF_TAG.get(str(tags.get(VERDICT_TAG, "")))
    return _BADGES.get(verdict) if verdict else None


__all__ = ["REPRODUCES_TAG", "TAG_OF_VERDICT", "TOLERANCE_TAG", "VERDICTS", "VERDICT_OF_TAG", "VERDICT_TAG",
           "Badge", "reproduced_badge"]
