"""Which files a capture keeps: the rule decides once per folder (and resolves each folder's
real path once), and must keep exactly the files that testing every path on its own keeps,
whatever the paths look like: relative, with ``..`` and ``.``, through symlinked files and
folders, at the filesystem's root, inside and outside the project."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyter_mlops.capture import files as capture
from jupyter_mlops.capture import left_out


def plain_rule(seen: dict[str, int], cwd: str, always: tuple[str, ...], system: tuple[str, ...],
               root: str) -> list[tuple[str, str]]:
    """What a capture keeps, every path tested against every folder (the rule as written)."""

    def inside(path: str, prefixes: tuple[str, ...]) -> bool:
        return any(path == p or path.startswith(p + os.sep) for p in prefixes)

    def left_out(path: str) -> bool:
        return inside(path, always) or (inside(path, system) and not inside(path, (root,)))

    kept = []
    for text, bits in seen.items():
        absolute = os.path.normpath(os.path.join(cwd, text))
        if "__pycache__" in absolute or left_out(absolute):
            continue
        real = os.path.realpath(absolute)
        if real != absolute and left_out(real):
            continue
        try:
            if not stat.S_ISREG(os.stat(absolute).st_mode):
                continue
        except OSError:
            continue
        if bits & capture._FIRST_READ:
            kept.append((absolute, "input"))
        if bits & capture._WRITE:
            kept.append((absolute, "output"))
    return kept


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project beside an interpreter-like folder and a system-like one, with symlinks
    between them: ``proj/lib`` is the packages' folder, ``proj/etc.cfg`` a system file,
    ``sys/proj`` the project seen from inside the system folder."""
    base = tmp_path_factory.mktemp("left-out")
    for folder in ("proj/data/raw", "proj/__pycache__", "venv/site", "sys/conf", "sys/proj2"):
        (base / folder).mkdir(parents=True)
    for file in ("proj/a.csv", "proj/data/b.csv", "proj/data/raw/c.bin", "proj/__pycache__/m.pyc",
                 "venv/site/mod.py", "sys/conf/x.cfg", "sys/proj2/d.csv", "top.txt", "proj/nb.ipynb"):
        (base / file).write_text("x")
    (base / "proj/lib").symlink_to(base / "venv/site")
    (base / "proj/etc.cfg").symlink_to(base / "sys/conf/x.cfg")
    (base / "proj/data/alias.csv").symlink_to(base / "proj/a.csv")
    (base / "sys/proj").symlink_to(base / "proj")
    return base


TARGETS = ["proj/a.csv", "proj/data/b.csv", "proj/data/raw/c.bin", "proj/__pycache__/m.pyc", "venv/site/mod.py",
           "sys/conf/x.cfg", "sys/proj2/d.csv", "top.txt", "proj/lib/mod.py", "proj/etc.cfg", "proj/data/alias.csv",
           "sys/proj/a.csv", "sys/proj/data/raw/c.bin", "sys/proj/lib/mod.py", "proj/data", "proj/missing.txt", "proj/nb.ipynb",
           "sys/proj/nb.ipynb"]
DETOURS = ["", "./", "data/../", "raw/./../", "lib/../", "../proj/"]


@st.composite
def a_route(draw: st.DrawFn, tree: Path, cwd: str) -> str:
    """One of the tree's paths as a cell could name it: absolute, or relative to the working
    folder, with detours through ``.``, ``..`` and other folders on the way."""
    target = draw(st.sampled_from(TARGETS))
    folder, _, name = target.rpartition("/")
    detour = draw(st.sampled_from(DETOURS))
    if draw(st.booleans()):
        return f"{tree}/{folder}/{detour}{name}"
    relative = os.path.relpath(tree / folder, cwd)
    return f"{relative}/{detour}{name}" if relative != "." else f"{detour}{name}" or name


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), cwd_part=st.sampled_from(["proj", "proj/data", "sys", "sys/proj", "."]),
       root_in_system=st.booleans())
def test_the_folder_rule_keeps_what_the_path_rule_keeps(tree: Path, monkeypatch: pytest.MonkeyPatch,
                                                         data: st.DataObject, cwd_part: str,
                                                         root_in_system: bool) -> None:
    cwd = os.path.normpath(str(tree / cwd_part))
    always = (str(tree / "venv"), str(tree / "proj/nb.ipynb"))  # the notebook is left out by name
    system = (str(tree / "sys"),)
    root = str(tree / "sys/proj") if root_in_system else str(tree / "proj")
    routes = data.draw(st.lists(a_route(tree, cwd), max_size=12))
    seen = {route: data.draw(st.sampled_from([1, 2, 3, 5, 7])) for route in routes}
    monkeypatch.setattr(left_out, "_defaults", (always, system))
    found = capture.FileCapture(store="unused", run_id="r", root=root, seen=dict(seen), cwd=cwd).files()
    assert [(state.path, role) for state, role in found] == plain_rule(seen, cwd, always, system, root)


def test_files_at_the_filesystem_root_and_relative_dots(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(left_out, "_defaults", ((str(tree / "venv"),), (str(tree / "sys"),)))
    seen = {"../top.txt": 1 | capture._FIRST_READ, "./a.csv": 2, "data/../a.csv": 1, "/": 1,
            "data/raw/../b.csv": 2, "data/raw/./c.bin": 1 | capture._FIRST_READ}
    found = capture.FileCapture(store="unused", run_id="r", root=str(tree / "proj"), seen=seen,
                                cwd=str(tree / "proj")).files()
    assert sorted((Path(s.path).relative_to(tree).as_posix(), role) for s, role in found) == [
        ("proj/a.csv", "output"), ("proj/data/b.csv", "output"), ("proj/data/raw/c.bin", "input"),
        ("top.txt", "input")]
