"""Two students on one server: neither ever sees the other's data, model, predictions or errors."""

import time

import numpy as np
import pytest
from playwright.sync_api import expect

from polyreg_core.data import SampleSpec, sample_csv
from polyreg_core.training import TrainConfig
from tests.browser.steps import expect_loaded, expect_trained, nav, no_exception, predict, press_train, upload

# Two datasets far apart: at x = 5 the optima are about 55.5 and -22.0.
ALICE = ("alice.csv", SampleSpec(a=2.0, b=1.0, seed=11, n_points=200))
BOB = ("bob.csv", SampleSpec(a=-1.5, b=3.0, seed=12, n_points=150))
POLL_S = 0.3
TRAIN_LIMIT_S = 180


def write_csv(directory, name, spec):
    path = directory / name
    path.write_text(sample_csv(spec))
    return path


def optimum_at(path, x):
    rows = np.loadtxt(path, delimiter=",", skiprows=1)  # (n_samples, 2)
    return float(np.polyval(np.polyfit(rows[:, 0], rows[:, 1], 2), x))


def assert_not_shown(page, *texts):
    body = page.inner_text("body")
    for text in texts:
        assert text not in body


def test_two_sessions_stay_apart(server, page_for, tmp_path):
    alice_path = write_csv(tmp_path, *ALICE)
    bob_path = write_csv(tmp_path, *BOB)
    alice, bob = page_for(), page_for()
    alice.goto(server)
    bob.goto(server)

    # each uploads its own data
    upload(alice, alice_path)
    upload(bob, bob_path)
    expect_loaded(alice, "alice.csv", 200)
    expect_loaded(bob, "bob.csv", 150)
    assert_not_shown(alice, "bob.csv")
    assert_not_shown(bob, "alice.csv")

    # both train at once; every redraw while they run shows only the page's own data
    nav(alice, "common.nav_train")
    nav(bob, "common.nav_train")
    press_train(alice)
    press_train(bob)
    epochs = f"{TrainConfig().epochs:,}"
    deadline = time.monotonic() + TRAIN_LIMIT_S
    done = {}
    while len(done) < 2:
        assert time.monotonic() < deadline, "training did not finish in both sessions"
        for name, page, other in (("alice", alice, "bob.csv"), ("bob", bob, "alice.csv")):
            assert_not_shown(page, other)
            if page.get_by_test_id("stAlertContentSuccess").filter(has_text=epochs).count():
                done[name] = True
        time.sleep(POLL_S)
    expect_trained(alice, TrainConfig().epochs)
    expect_trained(bob, TrainConfig().epochs)
    no_exception(alice)
    no_exception(bob)

    # each model predicts from its own data
    alice_expected, bob_expected = optimum_at(alice_path, 5), optimum_at(bob_path, 5)
    assert predict(alice, 5) == pytest.approx(alice_expected, abs=1.0)
    assert predict(bob, 5) == pytest.approx(bob_expected, abs=1.0)
    assert_not_shown(alice, "bob.csv")
    assert_not_shown(bob, "alice.csv")

    # Bob's bad upload shows on Bob's page only, and neither model changes
    broken = tmp_path / "bob-broken.csv"
    broken.write_text("x,z\n1,2\n")
    upload(bob, broken)
    expect(bob.get_by_test_id("stAlertContentError").filter(has_text="bob-broken.csv")).to_be_visible()
    nav(alice, "common.nav_data")
    expect(alice.get_by_test_id("stAlertContentError")).to_have_count(0)
    assert_not_shown(alice, "bob-broken.csv", "bob.csv")
    assert predict(alice, 5) == pytest.approx(alice_expected, abs=1.0)
    assert predict(bob, 5) == pytest.approx(bob_expected, abs=1.0)
    no_exception(alice)
    no_exception(bob)
