"""``jupyter mlops enable``: load the magics in every kernel of an IPython profile."""

from __future__ import annotations

import argparse
from typing import Any

from .common import EXIT_OK, command


def register_enable(commands: Any) -> None:
    sub = command(commands, "enable", "load the track and runs magics in every kernel of an IPython profile",
                   "jupyter mlops enable --profile default", _enable)
    sub.add_argument("--profile", default="default", help="IPython profile to change (default: default)")


def _enable(args: argparse.Namespace) -> int:
    from ..ipython_profile import enable_extension

    print(enable_extension(args.profile).message)
    return EXIT_OK
