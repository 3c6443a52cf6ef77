import numpy as np
import pytest

from polyreg_core.data import SampleSpec, generate, read_csv, sample_csv
from polyreg_core.errors import DataError
from polyreg_core.features import Scaling, polynomial_features
from tests.conftest import SAMPLE_CSV


def test_bundled_sample_is_the_generator_output():
    assert SAMPLE_CSV.read_text() == sample_csv()


def test_generator_follows_lesson_recipe():
    data = generate()
    assert len(data) == 200
    np.testing.assert_allclose(data.x[[0, 1, -1]], [-10.0, -9.9, 9.9])
    noise = data.y - (3.1 * data.x**2 - 1.7 * data.x)
    assert noise.min() >= 0.01
    assert noise.max() <= 0.99


def test_generator_is_seeded():
    np.testing.assert_array_equal(generate(SampleSpec(seed=3)).y, generate(SampleSpec(seed=3)).y)
    assert not np.array_equal(generate(SampleSpec(seed=3)).y, generate(SampleSpec(seed=4)).y)


def test_read_csv_sample(sample):
    assert len(sample) == 200
    assert sample.x.dtype == np.float64


def test_read_csv_lesson_file(lesson_csv):
    data = read_csv(lesson_csv.read_bytes(), lesson_csv.name)
    assert len(data) == 200
    assert data.y[0] == pytest.approx(327.79)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_file"),
        (b"   \n", "empty_file"),
        (b"x\n1\n2\n", "one_column"),
        (b"x,z\n1,2\n", "too_few_data_rows"),
        (b"x,y\n", "no_rows"),
        (b"x,y\n1,2\n2,abc\n", "too_few_usable_rows"),
        (b"x,y\n1,2\ninf,3\n", "too_few_usable_rows"),
    ],
)
def test_read_csv_rejects(content, code):
    with pytest.raises(DataError) as caught:
        read_csv(content, "bad.csv")
    assert caught.value.code == code


def test_read_csv_drops_bad_row_by_spreadsheet_number():
    data = read_csv(b"x,y\n1,2\n2,abc\n3,10\n", "bad.csv")
    assert data.dropped_rows == (3,)
    assert data.bad_cells[0].value == "abc"
    np.testing.assert_array_equal(data.x, [1.0, 3.0])


def test_features_are_lesson_order():
    np.testing.assert_array_equal(polynomial_features(np.array([2.0, -3.0])), [[4.0, 2.0], [9.0, -3.0]])
    np.testing.assert_array_equal(polynomial_features(np.array([2.0]), degree=3), [[8.0, 4.0, 2.0]])


def test_scaling_maps_weights_back():
    rng = np.random.default_rng(0)
    features = polynomial_features(rng.uniform(-10, 10, 50))
    scaling = Scaling.fit(features)
    w_scaled, b_scaled = np.array([0.7, -0.2]), 0.3
    weights, bias = scaling.to_original(w_scaled, b_scaled)
    np.testing.assert_allclose(scaling.apply(features) @ w_scaled + b_scaled, features @ weights + bias, rtol=1e-12)
