"""The CLI's training options beyond the lesson, and how it reports a divergence."""

import json

import pytest

from tests.conftest import SAMPLE_CSV
from tests.test_cli import run_cli


def test_divergence_exits_3_with_json_fields():
    done = run_cli("train", str(SAMPLE_CSV), "--lr", "0.01", "--epochs", "500", "--json")
    assert done.returncode == 3
    out = json.loads(done.stdout)
    assert out["diverged_at_epoch"] == 3
    assert out["max_stable_lr"] == pytest.approx(5.0e-4, rel=0.01)
    assert out["epochs"] == 2
    assert all(abs(w) < 1e30 for w in out["weights"])


def test_divergence_message_names_epoch_bound_and_remedies():
    done = run_cli("train", str(SAMPLE_CSV), "--lr", "0.01", "--epochs", "500")
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    message = errors[0]
    assert "epoch 3" in message
    assert "0.0005" in message
    assert "lower the learning rate" in message
    assert "standardisation" in message
    assert "Traceback" not in done.stderr


def test_divergence_message_in_korean():
    done = run_cli("train", str(SAMPLE_CSV), "--lr", "0.01", "--epochs", "500", lang="ko")
    assert done.returncode == 3
    assert "3 에폭에서 비용이 발산" in done.stderr
    assert "0.0005" in done.stderr


def test_json_without_divergence_has_null_epoch():
    done = run_cli("train", str(SAMPLE_CSV), "--epochs", "100", "--json")
    out = json.loads(done.stdout)
    assert out["diverged_at_epoch"] is None
    assert out["max_stable_lr"] > 0


def test_options_reach_the_config():
    done = run_cli(
        "train", str(SAMPLE_CSV), "--json", "--optimizer", "sgd", "--momentum", "0.5",
        "--standardize", "--degree", "3", "--lr", "0.1", "--epochs", "1500", "--predict", "5",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    config = out["config"]
    assert (config["optimizer"], config["momentum"], config["standardize"], config["degree"]) == ("sgd", 0.5, True, 3)
    assert len(out["weights"]) == 3
    # weights stay on the original x³, x², x scale even though training was standardised
    assert out["weights"][1] == pytest.approx(3.1, abs=0.01)
    assert out["weights"][2] == pytest.approx(-1.7, abs=0.02)
    assert out["predictions"][0]["y"] == pytest.approx(69.4, abs=1.0)


def test_adam_through_cli():
    done = run_cli("train", str(SAMPLE_CSV), "--json", "--optimizer", "adam", "--lr", "0.1", "--epochs", "1500")
    out = json.loads(done.stdout)
    assert out["weights"] == pytest.approx([3.1, -1.7], abs=0.02)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--optimizer", "rmsprop"], "rmsprop"),
        (["--momentum", "1"], "Momentum"),
        (["--momentum", "-0.1"], "Momentum"),
        (["--degree", "0"], "degree"),
        (["--degree", "7"], "degree"),
        (["--degree", "two"], "two"),
    ],
)
def test_bad_training_options_exit_2(args, expected):
    done = run_cli("train", str(SAMPLE_CSV), *args)
    assert done.returncode == 2
    assert len([line for line in done.stderr.splitlines() if line.startswith("error:")]) == 1
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
