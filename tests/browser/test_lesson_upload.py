"""The lesson's own dataset.csv uploaded through the page, trained with the defaults."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_main_flow import nav, no_exception


def test_upload_lesson_file_and_train(server, page_for, lesson_csv):
    page = page_for("en-US")
    page.goto(server)
    page.get_by_text("Upload a file", exact=True).click()
    page.get_by_test_id("stFileUploaderDropzone").locator("input[type=file]").set_input_files(str(lesson_csv))
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="dataset.csv: 200 rows")).to_be_visible()

    nav(page, "Train")
    page.get_by_test_id("stFormSubmitButton").get_by_role("button", name="Train", exact=True).click()
    done = page.get_by_test_id("stAlertContentSuccess").filter(has_text="10,000 epochs")
    expect(done).to_be_visible()

    table = page.get_by_test_id("stDataFrame")
    expect(table).to_be_visible()
    nav(page, "Predict")
    page.get_by_role("button", name="x = 5", exact=True).click()
    value = page.get_by_test_id("stMetricValue").first
    expect(value).to_be_visible()
    assert float(value.inner_text()) == pytest.approx(69.4, abs=1.0)
    caption = page.get_by_text("Model trained for 10,000 epochs on dataset.csv")
    # "y = 3.1069·x² − 1.7027·x + 0.0729": signs are spaced out and use the minus sign.
    formula = caption.inner_text().split("y = ")[1].replace(" ", "").replace("−", "-")
    w1, w2 = re.match(r"([-\d.]+)·x²\+?([-\d.]+)·x", formula).groups()
    assert float(w1) == pytest.approx(3.10, abs=0.01)
    assert float(w2) == pytest.approx(-1.70, abs=0.01)
    no_exception(page)
