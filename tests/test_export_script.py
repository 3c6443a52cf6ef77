"""The exported script: run with subprocess on the same CSV, it prints the app's weights.

The app's SGD engine and the script both compute in float64 on float32-rounded data and
store float32 weights, so the printed weights agree to 1e-6 relative (measured: identical
digits). Adam runs in float32 in both.
"""

import ast
import re
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from polyreg_core.data import read_csv
from polyreg_core.portable import PortableModel
from polyreg_core.script import render_script
from polyreg_core.training import TrainConfig, train
from tests.conftest import SAMPLE_CSV

RTOL = 1e-6


def run_script(tmp_path, model: PortableModel, csv_path, lang: str = "en") -> subprocess.CompletedProcess:
    script = tmp_path / "polyreg_run.py"
    script.write_text(render_script(model, lang), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(script), str(csv_path)], capture_output=True, text=True, cwd=tmp_path, timeout=280
    )


def printed_weights(stdout: str) -> tuple[list[float], float]:
    weights = re.search(r"^weights: (\[.*\])$", stdout, re.MULTILINE).group(1)
    bias = re.search(r"^bias: (\S+)$", stdout, re.MULTILINE).group(1)
    return ast.literal_eval(weights), float(bias)


def trained(csv_path, config: TrainConfig) -> PortableModel:
    dataset = read_csv(csv_path.read_bytes(), csv_path.name)
    return PortableModel.from_result(train(dataset, config), dataset)


def assert_same_weights(done: subprocess.CompletedProcess, model: PortableModel) -> None:
    assert done.returncode == 0, done.stderr
    weights, bias = printed_weights(done.stdout)
    expected_weights, expected_bias = model.coefficients()
    np.testing.assert_allclose(weights, expected_weights, rtol=RTOL)
    assert bias == pytest.approx(expected_bias, rel=RTOL)


def test_script_repeats_lesson_run(tmp_path):
    model = trained(SAMPLE_CSV, TrainConfig())
    done = run_script(tmp_path, model, SAMPLE_CSV)
    assert_same_weights(done, model)
    assert done.stdout.count("Epoch :") == 10
    prediction = re.search(r"^x = 5 -> (\S+)$", done.stdout, re.MULTILINE).group(1)
    assert float(prediction) == pytest.approx(69.4, abs=1.0)
    assert done.stderr == ""


@pytest.mark.parametrize(
    "config",
    [
        TrainConfig(epochs=300, degree=3, standardize=True, optimizer="adam", lr=0.05, seed=4),
        TrainConfig(epochs=1500, momentum=0.5, batch_size=64, drop_last=False, seed=2),
        TrainConfig(epochs=500, shuffle=False, standardize=True, lr=0.05),
    ],
    ids=["cubic-adam-standardised", "momentum-keep-last", "no-shuffle-standardised"],
)
def test_script_repeats_other_settings(tmp_path, config):
    model = trained(SAMPLE_CSV, config)
    assert_same_weights(run_script(tmp_path, model, SAMPLE_CSV), model)


def test_script_on_lesson_file(tmp_path, lesson_csv):
    model = trained(lesson_csv, TrainConfig())
    assert_same_weights(run_script(tmp_path, model, lesson_csv, lang="ko"), model)


def test_script_warns_about_other_data(tmp_path):
    model = trained(SAMPLE_CSV, TrainConfig(epochs=10))
    other = tmp_path / "other.csv"
    other.write_text("x,y\n1,2\n2,5\n3,10\n")
    done = run_script(tmp_path, replace(model, result=replace(model.result, config=replace(model.config, batch_size=2))), other)
    assert done.returncode == 0, done.stderr
    assert "differ" in done.stderr


def test_hostile_names_stay_string_literals():
    model = trained(SAMPLE_CSV, TrainConfig(epochs=10))
    hostile = 'x"""\nimport os; os.system("echo owned")  # \\'
    model = replace(model, data=replace(model.data, name=hostile, x_column=hostile, y_column="'); import os #"))
    tree = ast.parse(render_script(model, "en"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    assert imported == {"hashlib", "math", "sys", "numpy", "pandas", "torch", "nn", "optim"}
    constants = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)}
    assert hostile in constants
    assert "'); import os #" in constants
