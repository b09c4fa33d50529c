"""mlops.register_model, get_model, load_model and aliases, as a notebook user calls them."""

from __future__ import annotations

import os
import pickle
import sys
import time
from pathlib import Path

import pytest

import jupyter_mlops as mlops
from jupyter_mlops.errors import (
    AliasNotFound,
    InvalidInput,
    InvalidModelUri,
    MissingDependency,
    ModelNotFound,
    ModelVersionNotFound,
    NoActiveRun,
    UnknownModelFormat,
)


def test_register_from_files_in_a_run_and_load_back(store_location: str, tmp_path: Path) -> None:
    joblib = pytest.importorskip("joblib")
    model_file = tmp_path / "model.joblib"
    joblib.dump({"weights": [1, 2, 3]}, model_file)
    with mlops.start_run(name="train", store=store_location) as run:
        first = mlops.register_model("churn", model_file, alias="staging", tags={"algo": "rf"})
        assert mlops.register_model("churn", model_file) .version == 1  # same bytes: same version
        joblib.dump({"weights": [4]}, model_file)
        second = mlops.register_model("churn", model_file)
    assert (first.version, second.version) == (1, 2)
    assert first.run_id == run.id and first.artifact == "model.joblib" and first.tags == {"algo": "rf"}
    assert [a.name for a in mlops.get_store(store_location).get_run(run.id).artifacts()] == ["model.joblib"]

    assert mlops.get_model("churn", store=store_location).version == 2
    assert mlops.get_model("churn@staging", store=store_location).version == 1
    assert mlops.load_model("models:/churn/1", store=store_location) == {"weights": [1, 2, 3]}
    assert mlops.load_model("churn", store=store_location) == {"weights": [4]}
    mlops.set_model_alias("churn", "staging", 2, store=store_location)
    assert mlops.get_model("models:/churn@staging", store=store_location).aliases == ["staging"]
    mlops.delete_model_alias("churn", "staging", store=store_location)
    with pytest.raises(AliasNotFound):
        mlops.get_model("churn@staging", store=store_location)


def test_a_directory_is_one_version_whatever_its_file_times(store_dir: Path, tmp_path: Path) -> None:
    for copy in ("a", "b"):
        folder = tmp_path / copy / "bert"
        (folder / "tokenizer").mkdir(parents=True)
        (folder / "weights.bin").write_bytes(b"\x00\x01" * 1000)
        (folder / "tokenizer" / "vocab.txt").write_text("hello\nworld\n")
        os.utime(folder / "weights.bin", (time.time() - 1000 * (copy == "b"),) * 2)
    with mlops.start_run(store=store_dir):
        first = mlops.register_model("bert", tmp_path / "a" / "bert")
        again = mlops.register_model("bert", tmp_path / "b" / "bert")
        (tmp_path / "b" / "bert" / "tokenizer" / "vocab.txt").write_text("changed\n")
        changed = mlops.register_model("bert", tmp_path / "b" / "bert")
    assert (first.version, again.version, changed.version) == (1, 1, 2)
    assert first.artifact == "bert.tar" and first.kind == "directory"
    local = mlops.get_model("bert/1", store=store_dir).path()
    assert local.is_dir() and local.name == "bert"
    assert (local / "tokenizer" / "vocab.txt").read_text() == "hello\nworld\n"
    assert (local / "weights.bin").read_bytes() == b"\x00\x01" * 1000
    with pytest.raises(UnknownModelFormat, match="is a directory"):
        mlops.load_model("bert/1", store=store_dir)


def test_register_an_artifact_a_run_already_has(store_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "model.pkl").write_bytes(pickle.dumps([1, 2]))
    with mlops.start_run(store=store_dir) as run:
        mlops.log_artifact(tmp_path / "model.pkl")
    version = mlops.register_model("m", run=run.id, artifact="model.pkl", store=store_dir)
    assert version.version == 1 and version.run_id == run.id
    assert mlops.load_model("m/1", store=store_dir) == [1, 2]
    stored = mlops.get_store(store_dir).get_run(run.id)
    assert mlops.register_model("m", run=stored, artifact="model.pkl").version == 1


def test_inside_a_runner_notebook_the_runners_run_holds_the_model(store_dir: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    with mlops.start_run(store=store_dir) as runner_run:
        pass
    monkeypatch.setenv("JUPYTER_MLOPS_STORE", str(store_dir))
    monkeypatch.setenv("JUPYTER_MLOPS_RUN_ID", runner_run.id)
    (tmp_path / "model.pkl").write_bytes(b"x")
    assert mlops.register_model("m", tmp_path / "model.pkl").run_id == runner_run.id


def test_bad_input_registers_nothing(store_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "model.pkl").write_bytes(b"x")
    with pytest.raises(NoActiveRun, match="pass run=RUN_ID"):
        mlops.register_model("m", tmp_path / "model.pkl", store=store_dir)
    with mlops.start_run(store=store_dir) as run:
        with pytest.raises(InvalidInput, match="no such file or directory"):
            mlops.register_model("m", tmp_path / "missing.pkl")
        with pytest.raises(InvalidInput, match="not a Python identifier"):
            mlops.register_model("m", tmp_path / "model.pkl", alias="in production")
        with pytest.raises(InvalidInput, match="only letters, digits"):
            mlops.register_model("m/1", tmp_path / "model.pkl")
        with pytest.raises(InvalidInput, match="needs a path"):
            mlops.register_model("m")
    assert run.artifacts() == []  # nothing was logged either
    assert mlops.list_models(store=store_dir) == []
    with pytest.raises(ModelNotFound):
        mlops.get_model("m", store=store_dir)
    with pytest.raises(InvalidModelUri):
        mlops.get_model("models:/m/first", store=store_dir)
    with mlops.start_run(store=store_dir):
        mlops.register_model("m", tmp_path / "model.pkl")
    with pytest.raises(ModelVersionNotFound, match="versions are 1 to 1"):
        mlops.load_model("m/2", store=store_dir)


def test_load_model_refuses_what_it_cannot_read(store_dir: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("model.onnx", "model.skops", "model.pt"):
        (tmp_path / name).write_bytes(name.encode())
    with mlops.start_run(store=store_dir):
        for name in ("model.onnx", "model.skops", "model.pt"):
            mlops.register_model(name.split(".")[1], tmp_path / name)
    with pytest.raises(UnknownModelFormat, match=r"format of 'model.onnx'.*ModelVersion.path\(\)"):
        mlops.load_model("onnx", store=store_dir)
    monkeypatch.setitem(sys.modules, "skops.io", None)  # as if skops were not installed
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(MissingDependency, match="pip install skops"):
        mlops.load_model("skops", store=store_dir)
    with pytest.raises(MissingDependency, match="pip install torch"):
        mlops.load_model("pt", store=store_dir)


def test_importing_the_package_stays_cheap() -> None:
    import subprocess

    code = ("import sys, jupyter_mlops as m; m.register_model; "
            "print(sorted(x for x in ('sqlalchemy', 'pandas', 'ipywidgets') if x in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
