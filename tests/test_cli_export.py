"""The CLI's --save-model, --export-script and predict."""

import json

import pytest

from tests.conftest import SAMPLE_CSV
from tests.test_cli import run_cli
from tests.test_portable import crafted_files


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    folder = tmp_path_factory.mktemp("saved")
    model, script = folder / "lesson.safetensors", folder / "run.py"
    done = run_cli("train", str(SAMPLE_CSV), "--save-model", str(model), "--export-script", str(script))
    assert done.returncode == 0, done.stderr
    assert f"model saved to {model}" in done.stdout
    return model, script, done


def test_saved_model_predicts_lesson_x(saved):
    model, _, _ = saved
    done = run_cli("predict", str(model), "1", "5", "11", "-2", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    ys = {p["x"]: p["y"] for p in out["predictions"]}
    assert ys[5.0] == pytest.approx(69.4, abs=1.0)
    assert [p["outside_range"] for p in out["predictions"]] == [False, False, True, False]
    assert out["degree"] == 2
    assert out["epochs"] == 10_000
    assert out["config"]["lr"] == 0.0001


def test_predict_matches_training_run(tmp_path):
    model = tmp_path / "m.safetensors"
    trained = run_cli("train", str(SAMPLE_CSV), "--epochs", "2000", "--json", "--predict", "5", "-3", "--save-model", str(model))
    predicted = run_cli("predict", str(model), "5", "-3", "--json")
    expected = [p["y"] for p in json.loads(trained.stdout)["predictions"]]
    assert [p["y"] for p in json.loads(predicted.stdout)["predictions"]] == expected


def test_predict_text_marks_extrapolation(saved):
    model, _, _ = saved
    done = run_cli("predict", str(model), "5", "11")
    lines = done.stdout.splitlines()
    assert lines[0].startswith("model of degree 2")
    assert lines[1].startswith("x = 5  →  y = 69")
    assert "outside the training data's x range" in lines[2]


def test_predict_in_korean(saved):
    model, _, _ = saved
    done = run_cli("predict", str(model), "11", lang="ko")
    assert "범위" in done.stdout


def test_exported_script_file_is_python(saved):
    _, script, _ = saved
    compile(script.read_text(encoding="utf-8"), str(script), "exec")


@pytest.mark.parametrize("kind", ["pickle", "torch.save"])
def test_predict_rejects_crafted_pickle(tmp_path, kind):
    marker = tmp_path / "payload-ran"
    evil = tmp_path / "evil.safetensors"
    evil.write_bytes(crafted_files(marker)[kind])
    done = run_cli("predict", str(evil), "5")
    assert done.returncode == 2
    assert "pickle" in done.stderr
    assert "Traceback" not in done.stderr
    assert not marker.exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["predict", "missing.safetensors", "5"], "missing.safetensors"),
        (["predict", str(SAMPLE_CSV), "5"], "not a safetensors"),
        (["predict", "MODEL", "five"], "five"),
        (["predict", "MODEL", "inf"], "inf"),
        (["predict", "MODEL"], "X"),
        (["train", str(SAMPLE_CSV), "--epochs", "10", "--save-model", "/nonexistent-folder/m.safetensors"], "could not be written"),
    ],
)
def test_predict_bad_input_exits_2(saved, args, expected):
    args = [str(saved[0]) if a == "MODEL" else a for a in args]
    done = run_cli(*args)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
