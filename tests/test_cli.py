import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SAMPLE_CSV


def run_cli(*args: str, lang: str | None = "en") -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "polyreg_core", *args]
    if lang:
        command += ["--lang", lang]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_train_json_has_the_fields():
    done = run_cli("train", str(SAMPLE_CSV), "--json", "--predict", "1", "5", "11", "-2")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["weights"][0] == pytest.approx(3.1, abs=0.01)
    assert out["weights"][1] == pytest.approx(-1.7, abs=0.01)
    assert out["epochs"] == 10_000
    assert out["device"] == "cpu"
    assert out["train_seconds"] > 0
    assert [p["x"] for p in out["predictions"]] == [1.0, 5.0, 11.0, -2.0]
    assert out["predictions"][1]["y"] == pytest.approx(69.4, abs=1.0)
    assert set(out) >= {"bias", "final_cost"}


def test_lesson_file_through_cli(lesson_csv):
    done = run_cli("train", str(lesson_csv), "--json", "--predict", "1", "5", "11")
    out = json.loads(done.stdout)
    predictions = [p["y"] for p in out["predictions"]]
    assert predictions == pytest.approx([1.80, 69.42, 356.95], abs=1.0)


def test_text_output_logs_every_n_epochs():
    done = run_cli("train", str(SAMPLE_CSV), "--epochs", "3000", "--log-every", "500", "--predict", "5")
    lines = done.stdout.splitlines()
    assert done.returncode == 0
    assert sum(line.startswith("epoch") for line in lines) == 6
    assert lines[-1].startswith("x = 5")


def test_text_ends_with_learned_weights():
    done = run_cli("train", str(SAMPLE_CSV), "--epochs", "1500")
    epochs = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("epoch")]
    assert epochs == ["1000/1500", "1500/1500"]


def test_korean_output():
    done = run_cli("train", str(SAMPLE_CSV), "--epochs", "1000", lang="ko")
    assert done.stdout.startswith("에폭")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["train", "missing.csv"], "missing.csv"),
        (["train", str(SAMPLE_CSV), "--epochs", "abc"], "abc"),
        (["train", str(SAMPLE_CSV), "--epochs", "0"], "epochs"),
        (["train", str(SAMPLE_CSV), "--lr", "-1"], "learning rate"),
        (["train", str(SAMPLE_CSV), "--batch-size", "999"], "batch size"),
        (["train", str(SAMPLE_CSV), "--device", "tpu"], "tpu"),
        (["train", str(SAMPLE_CSV), "--predict", "five"], "five"),
        (["train", str(SAMPLE_CSV), "--log-every", "0"], "--log-every"),
        (["train"], "csv"),
        (["fly"], "fly"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, expected):
    done = run_cli(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert expected in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_input_message_in_korean(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n2,abc\n")
    done = run_cli("train", str(bad), lang="ko")
    assert done.returncode == 2
    assert "3행" in done.stderr
    assert done.stderr.startswith("오류")


def test_divergence_exits_3():
    done = run_cli("train", str(SAMPLE_CSV), "--lr", "0.01", "--epochs", "500")
    assert done.returncode == 3
    assert "diverged" in done.stderr


def test_korean_help_fully_translated():
    done = run_cli("train", "--help", lang="ko")
    assert done.returncode == 0
    assert done.stdout.startswith("사용법: ")
    for english in ("usage:", "positional arguments", "options:", "show this help"):
        assert english not in done.stdout
    assert "위치 인수:" in done.stdout
    assert "옵션:" in done.stdout


def test_lang_before_command():
    command = [sys.executable, "-m", "polyreg_core", "--lang", "ko", "train", str(SAMPLE_CSV), "--epochs", "10"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "에폭" in done.stdout


def test_unknown_command_korean_choices():
    done = run_cli("trian", "data.csv", lang="ko")
    assert done.returncode == 2
    assert done.stderr.strip() == "오류: 'trian'은(는) 명령에 쓸 수 없는 값입니다. 쓸 수 있는 값: 'train', 'predict'"


def test_out_of_range_names_option():
    done = run_cli("train", str(SAMPLE_CSV), "--batch-size", "0")
    assert done.returncode == 2
    assert done.stderr.startswith("error: --batch-size must be a whole number from 1 to ")


def test_non_finite_x_rejected():
    done = run_cli("train", str(SAMPLE_CSV), "--json", "--predict", "5", "nan")
    assert done.returncode == 2
    assert done.stdout == ""  # no half-written JSON with NaN, which strict parsers reject
    assert "nan" in done.stderr
