"""``jupyter mlops enable``: the IPython profile loads the extension in every kernel."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_mlops.cli import main
from jupyter_mlops.ipython_profile import ProfileError, enable_extension, loaded_extensions


def test_enable_creates_the_profile_and_is_idempotent(tmp_path: Path) -> None:
    first = enable_extension("work", ipython_dir=tmp_path)
    assert first.changed and first.config_file == tmp_path / "profile_work" / "ipython_config.py"
    assert loaded_extensions(first.config_file) == ["jupyter_mlops"]
    text = first.config_file.read_text()
    second = enable_extension("work", ipython_dir=tmp_path)
    assert not second.changed and second.config_file.read_text() == text
    assert "already" in second.message


def test_enable_keeps_the_users_configuration(tmp_path: Path) -> None:
    config = tmp_path / "profile_default" / "ipython_config.py"
    config.parent.mkdir(parents=True)
    config.write_text("c = get_config()\nc.InteractiveShellApp.extensions = ['autoreload']\nc.InteractiveShell.xmode = 'Minimal'")
    assert enable_extension(ipython_dir=tmp_path).changed
    assert loaded_extensions(config) == ["autoreload", "jupyter_mlops"]
    assert "xmode = 'Minimal'" in config.read_text()

    listed = tmp_path / "profile_listed" / "ipython_config.py"
    listed.parent.mkdir(parents=True)
    listed.write_text("c.IPKernelApp.extensions = ['jupyter_mlops']\n")
    assert not enable_extension("listed", ipython_dir=tmp_path).changed


def test_broken_config_or_bad_profile_name_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "profile_default" / "ipython_config.py"
    config.parent.mkdir(parents=True)
    config.write_text("c.InteractiveShellApp.extensions = [\n")
    with pytest.raises(ProfileError, match="cannot read"):
        enable_extension(ipython_dir=tmp_path)
    assert config.read_text() == "c.InteractiveShellApp.extensions = [\n"


def test_cli_enable_uses_ipythondir_and_profile(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path))
    assert main(["enable", "--profile", "team"]) == 0
    assert "now loaded by every kernel of IPython profile 'team'" in capsys.readouterr().out
    assert loaded_extensions(tmp_path / "profile_team" / "ipython_config.py") == ["jupyter_mlops"]
    assert main(["enable", "--profile", "team"]) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert main(["enable", "--profile", "../elsewhere"]) == 2
    assert "not a profile name" in capsys.readouterr().err
