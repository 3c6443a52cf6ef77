"""Uploading real files through Chromium: a Korean CP949 table, a rejected file, a small table."""

from playwright.sync_api import Page, expect

from tests.browser.test_main_flow import nav, no_exception
from tests.table_cases import DATA_DIR


def upload(page: Page, file: str) -> None:
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(DATA_DIR / file))


def test_upload_korean_table_then_rejected_file(server, page_for, tmp_path):
    page = page_for("ko-KR")
    page.goto(server)
    page.get_by_text("파일 올리기", exact=True).click()

    upload(page, "cp949_korean.csv")
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="cp949_korean.csv: 4행")).to_be_visible()
    expect(page.get_by_test_id("stSelectbox").filter(has_text="x 열").locator("input")).to_have_value("공부시간")
    expect(page.get_by_test_id("stSelectbox").filter(has_text="y 열").locator("input")).to_have_value("점수")
    expect(page.get_by_text("CP949 텍스트로 읽었습니다", exact=False)).to_be_visible()
    no_exception(page)

    upload(page, "png_renamed.csv")
    expect(page.get_by_test_id("stAlertContentError").filter(has_text="png_renamed.csv")).to_be_visible()
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="cp949_korean.csv: 4행")).to_be_visible()
    no_exception(page)
    page.screenshot(path=str(tmp_path / "upload-rejected.png"), full_page=True)


def test_small_table_trains_as_one_batch(server, page_for):
    page = page_for("en-US")
    page.goto(server)
    page.get_by_text("Upload a file", exact=True).click()
    upload(page, "three_rows.csv")
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="3 rows loaded")).to_be_visible()

    nav(page, "Train")
    expect(page.get_by_test_id("stAlertContentWarning").filter(has_text="fewer than the batch size 128")).to_be_visible()
    page.get_by_role("button", name="Train on the whole table as one batch (3 rows)").click()
    expect(page.get_by_test_id("stAlertContentWarning")).to_have_count(0)
    # Wait for the rerun to redraw the form, so that the click reaches the new one.
    # During a rerun the old and the new form can both be on the page for a moment.
    batch_size = page.get_by_label("Batch size", exact=True)
    expect(batch_size).to_have_count(1)
    expect(batch_size).to_have_value("3")
    start = page.get_by_test_id("stFormSubmitButton").get_by_role("button", name="Train", exact=True)
    expect(start).to_have_count(1)
    start.click()
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="10,000 epochs")).to_be_visible()
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    no_exception(page)


def test_upload_names_stay_plain_text(server, page_for, tmp_path):
    # Streamlit turns web addresses, e-mail addresses and ":material/…:" codes into links and
    # icons after the Markdown is parsed. A file name and a column name must stay plain text.
    name = "kosis_www.kosis.kr_2024 [l](http:x).csv"
    path = tmp_path / name
    path.write_text("x,y :material/home: a@b.com\n1,2\n2,5\n3,10\n4,17\n")
    page = page_for("en-US")
    page.goto(server)
    page.get_by_text("Upload a file", exact=True).click()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    loaded = page.get_by_test_id("stAlertContentSuccess").filter(has_text="kosis")
    expect(loaded).to_be_visible()
    expect(loaded.locator("a, img, span[role=img]")).to_have_count(0)
    text = loaded.inner_text().replace("\u2060", "")  # the invisible joiners that stop the links
    assert name in text
    assert "y :material/home: a@b.com" in text
    sidebar = page.get_by_test_id("stSidebar").get_by_test_id("stCaptionContainer").filter(has_text="kosis")
    expect(sidebar.locator("a, img, span[role=img]")).to_have_count(0)
    no_exception(page)
