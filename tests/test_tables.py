"""The table parser against every file in tests/data/, and its rules one by one."""

import numpy as np
import pytest

from polyreg_core.data import FLOAT32_MAX, Reference, SampleSpec, generate, generate_checked, read_csv
from polyreg_core.errors import ConfigError, DataError
from polyreg_core.reports import bad_cell_lines, dropped_report, table_notes
from polyreg_core.sniff import decode
from polyreg_core.tables import (
    BOOLEAN,
    INDEX,
    TEXT,
    Limits,
    format_rows,
    read_table,
    spreadsheet_letter,
    to_dataset,
)
from tests.data import make_files
from tests.table_cases import CASES, DATA_DIR, ERRORS, LOADS, content, params


def load(case: dict):
    limits = Limits.from_env(case.get("env", {}))
    table = read_table(content(case), case["file"], limits)
    return table, to_dataset(table, *table.default_columns())


# --- the files of tests/data -------------------------------------------------------------------


def test_manifest_lists_every_file():
    on_disk = {p.name for p in DATA_DIR.iterdir() if p.suffix not in (".py", ".toml") and p.is_file()}
    assert on_disk == {case["file"] for case in CASES}
    assert len(CASES) >= 30


def test_files_match_their_generator():
    for name, expected in make_files.all_files().items():
        assert (DATA_DIR / name).read_bytes() == expected, f"{name} differs: rerun tests/data/make_files.py"


@pytest.mark.parametrize("case", params(LOADS))
def test_file_loads_as_expected(case):
    table, dataset = load(case)
    assert len(dataset) == case["rows"]
    assert (dataset.x_column, dataset.y_column) == (case["x"], case["y"])
    assert list(table.numeric_columns) == case["numeric"]
    assert list(dataset.dropped_rows) == case["dropped"]
    assert table.has_header == case["header"]
    assert [dataset.x[0], dataset.y[0]] == pytest.approx(case["first"])
    assert dataset.x.dtype == np.float64
    assert np.isfinite(dataset.x).all()
    assert np.isfinite(dataset.y).all()


@pytest.mark.parametrize("case", params([c for c in LOADS if "reasons" in c]))
def test_dropped_rows_have_reasons(case):
    _, dataset = load(case)
    assert [cell.reason for cell in dataset.bad_cells] == case["reasons"]
    assert [cell.row for cell in dataset.bad_cells] == case["dropped"][: len(case["reasons"])]


@pytest.mark.parametrize("case", params([c for c in LOADS if "encoding" in c or "separator" in c or "decimal" in c]))
def test_text_layout_is_detected(case):
    table, _ = load(case)
    for field in ("encoding", "separator", "decimal"):
        if field in case:
            assert getattr(table, field) == case[field], field


@pytest.mark.parametrize("case", params(ERRORS))
def test_file_is_rejected_with_code(case):
    with pytest.raises(DataError) as caught:
        load(case)
    assert caught.value.code == case["error"]
    assert caught.value.params["file"] == case["file"]


# --- columns ---------------------------------------------------------------------------------


def test_korean_columns_need_a_choice():
    table = read_table((DATA_DIR / "korean_columns.csv").read_bytes(), "k.csv")
    assert table.needs_column_choice
    assert [(c.name, c.kind) for c in table.other_columns] == [("이름", TEXT)]


def test_x_and_y_need_no_choice():
    table = read_table(b"x,y,note\n1,2,a\n2,5,b\n", "f.csv")
    assert not table.needs_column_choice


def test_boolean_and_text_columns_not_offered():
    table = read_table((DATA_DIR / "extra_columns.csv").read_bytes(), "f.csv")
    kinds = {c.name: c.kind for c in table.columns}
    assert kinds == {"id": TEXT, "x": "number", "y": "number", "passed": BOOLEAN, "name": TEXT}


def test_index_column_not_offered():
    table = read_table((DATA_DIR / "index_column.csv").read_bytes(), "f.csv")
    assert table.columns[0].kind == INDEX
    assert table.numeric_columns == ("x", "y")


def test_unnamed_counting_column_kept_when_needed():
    # Without it only one numeric column would remain, so it is offered after all.
    table = read_table(b",y\n0,5\n1,6\n2,9\n", "f.csv")
    assert table.numeric_columns == ("A", "y")


def test_named_counting_column_is_data():
    table = read_table(b"hours,score\n1,50\n2,55\n3,61\n", "f.csv")
    assert table.numeric_columns == ("hours", "score")


def test_duplicate_names_get_letters():
    table = read_table(b"x,x,y\n1,2,3\n4,5,6\n", "f.csv")
    assert [c.name for c in table.columns] == ["x", "x (B)", "y"]


def test_other_columns_can_be_chosen():
    table = read_table(b"x,y,z\n1,2,3\n2,5,7\n3,10,2\n", "f.csv")
    dataset = to_dataset(table, "z", "x")
    assert (dataset.x_column, dataset.y_column) == ("z", "x")
    np.testing.assert_array_equal(dataset.x, [3, 7, 2])


@pytest.mark.parametrize(
    ("x", "y", "code"),
    [("x", "x", "same_column"), ("w", "y", "unknown_column"), ("name", "y", "column_not_numeric")],
)
def test_bad_column_choice(x, y, code):
    table = read_table(b"x,y,name\n1,2,a\n2,5,b\n3,10,c\n", "f.csv")
    with pytest.raises(DataError) as caught:
        to_dataset(table, x, y)
    assert caught.value.code == code
    assert caught.value.params["column"] == x


def test_reference_can_be_switched_off():
    table = read_table(b"x,y\n1,2\n2,5\n", "f.csv")
    assert to_dataset(table, "x", "y", reference=None).reference is None
    assert to_dataset(table, "x", "y", Reference((1.0, 2.0))).reference.weights == (1.0, 2.0)


def test_spreadsheet_letters():
    assert [spreadsheet_letter(i) for i in (0, 1, 25, 26, 27, 701, 702)] == ["A", "B", "Z", "AA", "AB", "ZZ", "AAA"]


# --- bad cells -------------------------------------------------------------------------------


def test_float32_boundary():
    largest = np.float32(FLOAT32_MAX).item()
    table = read_table(f"x,y\n1,{largest!r}\n2,{-largest!r}\n3,3.5e38\n4,5\n".encode(), "f.csv")
    dataset = to_dataset(table, "x", "y")
    assert list(dataset.dropped_rows) == [4]
    assert dataset.y[0] == largest


def test_bad_cell_quotes_the_value():
    table = read_table((DATA_DIR / "text_cells.csv").read_bytes(), "t.csv")
    dataset = to_dataset(table, "x", "y")
    first, second = dataset.bad_cells
    assert (first.row, first.column, first.value) == (3, "y", "abc")
    assert (second.row, second.column, second.value) == (4, "x", "12kg")


def test_many_dropped_rows_are_counted():
    rows = "".join(f"{i},{'bad' if i % 2 else i}\n" for i in range(40))
    dataset = to_dataset(read_table(f"x,y\n{rows}".encode(), "f.csv"), "x", "y")
    assert len(dataset.dropped_rows) == 20
    assert dataset.dropped_rows[:3] == (3, 5, 7)
    assert len(dataset.bad_cells) == 5


def test_format_rows_shortens_long_lists():
    assert format_rows([3, 5]) == "3, 5"
    assert format_rows(list(range(2, 30)), limit=3) == "2, 3, 4, …"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_dropped_report_names_rows(lang):
    table = read_table((DATA_DIR / "missing_cells.csv").read_bytes(), "m.csv")
    dataset = to_dataset(table, "x", "y")
    report = dropped_report(dataset, lang)
    assert "3, 4" in report
    assert "5" in report  # the total
    lines = bad_cell_lines(dataset, lang)
    assert len(lines) == 2
    assert all("x" in line or "y" in line for line in lines)


def test_no_report_when_nothing_dropped():
    table = read_table(b"x,y\n1,2\n2,5\n", "f.csv")
    assert dropped_report(to_dataset(table, "x", "y"), "en") is None


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        ("cp949_korean.csv", "CP949"),
        ("no_header.csv", "read as data"),
        ("index_column.csv", "Column A"),
        ("title_row.csv", "Study hours and scores"),
        ("workbook_korean_two_sheets.xlsx", "성적"),
        ("semicolon_decimal_comma.csv", "decimal comma"),
    ],
)
def test_notes_explain_how_file_was_read(file, expected):
    table = read_table((DATA_DIR / file).read_bytes(), file)
    assert any(expected in note for note in table_notes(table, "en"))


# --- encodings -------------------------------------------------------------------------------


def test_utf16_without_bom():
    text, encoding = decode("x,y\n1,2\n".encode("utf-16-le"), "f.csv")
    assert text == "x,y\n1,2\n"
    assert encoding == "UTF-16"


def test_latin_text_is_not_read_as_korean():
    assert decode("Größe;Gewicht\n".encode("cp1252"), "f.csv")[1] == "Windows-1252"


def test_bad_bytes_after_bom():
    with pytest.raises(DataError) as caught:
        decode(b"\xef\xbb\xbfx,y\n\xff\xfe\xfa,1\n", "f.csv")
    assert caught.value.code == "bad_encoding"


# --- limits ----------------------------------------------------------------------------------


def test_limits_default():
    assert Limits.from_env({}) == Limits(max_upload_mb=50, max_rows=1_000_000)


def test_limits_from_environment():
    limits = Limits.from_env({"POLYREG_MAX_UPLOAD_MB": "2.5", "POLYREG_MAX_ROWS": "300"})
    assert limits.max_bytes == int(2.5 * 1024 * 1024)
    assert limits.max_rows == 300


@pytest.mark.parametrize("value", ["abc", "0", "-5", "nan", "inf", "1.5"])
def test_invalid_row_limit(value):
    with pytest.raises(ConfigError) as caught:
        Limits.from_env({"POLYREG_MAX_ROWS": value})
    assert caught.value.code == "invalid_limit"
    assert caught.value.params["variable"] == "POLYREG_MAX_ROWS"


def test_row_limit_is_inclusive():
    rows = "".join(f"{i},{i}\n" for i in range(10))
    assert len(read_table(f"x,y\n{rows}".encode(), "f.csv", Limits(max_rows=10))) == 10
    with pytest.raises(DataError) as caught:
        read_table(f"x,y\n{rows}".encode(), "f.csv", Limits(max_rows=9))
    assert caught.value.params["limit"] == 9


def test_row_limit_applies_to_excel(monkeypatch):
    content = (DATA_DIR / "workbook.xlsx").read_bytes()
    with pytest.raises(DataError) as caught:
        read_table(content, "w.xlsx", Limits(max_rows=4))
    assert caught.value.code == "too_many_rows"


def test_size_limit_names_the_variable():
    with pytest.raises(DataError) as caught:
        read_table(b"x,y\n" + b"1,2\n" * 1000, "big.csv", Limits(max_upload_mb=0.001))
    assert caught.value.code == "file_too_large"
    assert caught.value.params["variable"] == "POLYREG_MAX_UPLOAD_MB"
    assert caught.value.params["limit_mb"] == 0.001


# --- read_csv and the generator ----------------------------------------------------------------


def test_read_csv_picks_first_numeric_columns():
    dataset = read_csv("공부시간,점수\n1,50\n2,55\n".encode("cp949"), "k.csv")
    assert (dataset.x_column, dataset.y_column) == ("공부시간", "점수")


def test_generator_range_reproduces_lesson_grid():
    spec = SampleSpec.over_range(-10.0, 10.0, 200)
    np.testing.assert_array_equal(generate(spec).x, generate().x)


def test_generator_keeps_true_curve():
    dataset = generate_checked(SampleSpec.over_range(0, 5, 50, a=2.0, b=1.0, c=4.0, noise="normal", noise_std=0.0), 1000)
    np.testing.assert_allclose(dataset.y, 2 * dataset.x**2 + dataset.x + 4)
    assert dataset.reference.weights == (2.0, 1.0)
    assert dataset.reference.bias == 4.0
    assert dataset.name == "generated_seed9"


@pytest.mark.parametrize(
    ("spec", "code"),
    [
        (SampleSpec.over_range(5, 5, 100), "invalid_x_range"),
        (SampleSpec.over_range(5, 1, 100), "invalid_x_range"),
        (SampleSpec.over_range(0, 1, 1), "invalid_points"),
        (SampleSpec.over_range(0, 1, 2000), "invalid_points"),
        (SampleSpec.over_range(0, 1, 10, noise_low=1.0, noise_high=0.5), "invalid_noise_range"),
        (SampleSpec.over_range(0, 1, 10, noise="normal", noise_std=-1.0), "invalid_noise_std"),
        (SampleSpec.over_range(-1e20, 1e20, 10, a=1e5), "generated_too_large"),
    ],
)
def test_generator_rejects(spec, code):
    with pytest.raises(ConfigError) as caught:
        generate_checked(spec, max_points=1000)
    assert caught.value.code == code
