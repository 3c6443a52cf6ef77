"""Every file in tests/data/ through the command line.

All cases call ``cli.main`` in this process, because a subprocess per file would spend most
of the suite's time importing torch. A few representative files also run as a real
``python -m polyreg_core`` subprocess.
"""

import json

import pytest

from polyreg_core import cli
from tests.table_cases import DATA_DIR, ERRORS, LOADS, params
from tests.test_cli import run_cli

# One epoch and the last partial batch kept, so that even a three-row table trains at once.
QUICK = ["--epochs", "1", "--keep-last", "--json"]


def run_main(capsys, monkeypatch, case: dict, *options: str, lang: str = "en"):
    for variable, value in case.get("env", {}).items():
        monkeypatch.setenv(variable, value)
    status = cli.main(["train", str(DATA_DIR / case["file"]), *options, "--lang", lang])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("case", params(LOADS))
def test_cli_loads_file(case, capsys, monkeypatch):
    status, out, err = run_main(capsys, monkeypatch, case, *QUICK)
    assert status == 0, err
    data = json.loads(out)["data"]
    assert data["rows"] == case["rows"]
    assert (data["x_column"], data["y_column"]) == (case["x"], case["y"])
    assert data["dropped_rows"] == case["dropped"]
    assert data["has_header"] == case["header"]
    assert all(line.startswith("note: ") for line in err.splitlines())


@pytest.mark.parametrize("case", params([c for c in LOADS if c["dropped"]]))
def test_cli_reports_dropped_rows(case, capsys, monkeypatch):
    _, _, err = run_main(capsys, monkeypatch, case, *QUICK)
    first = str(case["dropped"][0])
    assert any("left out" in line and first in line for line in err.splitlines())


@pytest.mark.parametrize("case", params(ERRORS))
def test_cli_rejects_file(case, capsys, monkeypatch):
    status, out, err = run_main(capsys, monkeypatch, case, *QUICK)
    assert status == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("error: ")
    assert case["file"] in err
    assert "Traceback" not in err


@pytest.mark.parametrize("case", params(ERRORS))
def test_cli_rejects_file_in_korean(case, capsys, monkeypatch):
    status, _, err = run_main(capsys, monkeypatch, case, *QUICK, lang="ko")
    assert status == 2
    assert err.startswith("오류: ")
    assert case["file"] in err
    assert "errors." not in err  # a missing translation shows its key


def test_cli_column_options(capsys, monkeypatch):
    case = {"file": "extra_columns.csv"}
    status, out, _ = run_main(capsys, monkeypatch, case, *QUICK, "--x-column", "y", "--y-column", "x")
    assert status == 0
    data = json.loads(out)["data"]
    assert (data["x_column"], data["y_column"]) == ("y", "x")


@pytest.mark.parametrize(("option", "code_text"), [("name", "does not hold numbers"), ("weight", "no column")])
def test_cli_bad_column_option(capsys, monkeypatch, option, code_text):
    status, _, err = run_main(capsys, monkeypatch, {"file": "extra_columns.csv"}, *QUICK, "--x-column", option)
    assert status == 2
    assert code_text in err
    assert "x, y" in err  # the columns that can be chosen


def test_cli_invalid_limit_variable(capsys, monkeypatch):
    case = {"file": "utf8.csv", "env": {"POLYREG_MAX_ROWS": "many"}}
    status, _, err = run_main(capsys, monkeypatch, case, *QUICK)
    assert status == 2
    assert "POLYREG_MAX_ROWS" in err
    assert "many" in err


def test_cli_huge_x_diverges_cleanly(capsys, tmp_path):
    # x² of 1e20 overflows float32 although x itself fits, so the first epoch diverges.
    table = tmp_path / "huge.csv"
    table.write_text("x,y\n1e20,1\n2e20,2\n3e20,5\n")
    status = cli.main(["train", str(table), *QUICK, "--lang", "en"])
    err = capsys.readouterr().err
    assert status == 3
    assert "diverged at epoch 1" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "file", ["cp949_korean.csv", "semicolon_decimal_comma.csv", "workbook_korean_two_sheets.xlsx", "no_header.csv"]
)
def test_cli_subprocess_loads(file):
    done = run_cli("train", str(DATA_DIR / file), *QUICK)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["data"]["file"] == file


@pytest.mark.parametrize("file", ["png_renamed.csv", "ragged.csv", "all_bad.csv"])
def test_cli_subprocess_rejects(file):
    done = run_cli("train", str(DATA_DIR / file), *QUICK, lang="ko")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("오류: ")
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr
