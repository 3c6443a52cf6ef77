"""Write the test tables in this folder: python tests/data/make_files.py

Each file is one kind of table that a teacher or student might upload. The expected outcome
of each is in cases.toml. The files are committed. Rerun this script after changing it: a
test compares the committed files with its output, so the two cannot drift apart.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent

LESSON_ROWS = "x,y\n-10.0,327.79\n-9.9,320.35\n-9.8,313.38\n-9.7,305.74\n-9.6,298.46\n"
KOREAN_ROWS = "공부시간,점수,이름\n1,52,김민준\n2,55,이서연\n3,61,박지호\n4,70,최수아\n"
SEMICOLON_ROWS = "x;y\n-1,5;8,23\n-0,5;1,73\n0,5;0,43\n1,5;4,43\n"


def text_files() -> dict[str, bytes]:
    files = {
        # encodings
        "utf8.csv": LESSON_ROWS.encode("utf-8"),
        "utf8_bom.csv": LESSON_ROWS.encode("utf-8-sig"),
        "cp949_korean.csv": KOREAN_ROWS.encode("cp949"),
        "euckr_korean.csv": "공부시간,점수\n1,52\n2,55\n3,61\n".encode("euc-kr"),
        "utf16_bom_tab.txt": KOREAN_ROWS.replace(",", "\t").encode("utf-16"),
        "utf16be_bom.csv": codecs_bom_be(LESSON_ROWS),
        "cp1252_semicolon.csv": "Größe;Gewicht\n1,5;2,25\n2,0;4,10\n2,5;6,30\n".encode("cp1252"),
        # separators and decimal marks
        "semicolon_decimal_comma.csv": SEMICOLON_ROWS.encode(),
        "semicolon_decimal_point.csv": "x;y\n-1.5;8.23\n-0.5;1.73\n0.5;0.43\n".encode(),
        "tab_decimal_comma.tsv": SEMICOLON_ROWS.replace(";", "\t").encode(),
        "tab_decimal_point.tsv": LESSON_ROWS.replace(",", "\t").encode(),
        "quoted.csv": b'"x","y","note"\n"1","2.5","first, with a comma"\n"2","5.5","second"\n"3","10.5",""\n',
        # header cases
        "no_header.csv": b"1,2.5\n2,5.5\n3,10.5\n4,17.5\n",
        "no_header_semicolon.csv": "1,5;2,25\n2,5;6,25\n3,5;12,25\n".encode(),
        "korean_columns.csv": KOREAN_ROWS.encode("utf-8"),
        "index_column.csv": b",x,y\n0,-1.0,4.8\n1,0.0,0.5\n2,1.0,1.9\n3,2.0,9.3\n",
        "extra_columns.csv": b"id,x,y,passed,name\nA1,1,2.5,True,Kim\nA2,2,5.5,False,Lee\nA3,3,10.5,True,Park\n",
        "uppercase_xy.csv": b"X,Y\n1,2\n2,5\n3,10\n",
        "leading_blank_lines.csv": b"\n\nx,y\n1,2\n2,5\n3,10\n",
        "trailing_separators.csv": b"x,y,\n1,2,\n2,5,\n3,10,\n",
        "trailing_blank_lines.csv": b"x,y\n1,2\n2,5\n3,10\n\n\n\n",
        "crlf_line_ends.csv": b"x,y\r\n1,2\r\n2,5\r\n3,10\r\n",
        # bad cells
        "blank_rows.csv": b"x,y\n1,2\n\n2,5\n,\n3,10\n",
        "missing_cells.csv": b"x,y\n1,2\n,5\n3,\n4,17\n5,26\n",
        "text_cells.csv": b"x,y\n1,2\n2,abc\n12kg,5\n4,17\n5,26\n",
        "inf_nan.csv": b"x,y\n1,2\ninf,5\n3,-inf\nnan,10\n4,NaN\n5,26\n6,37\n",
        "float32_overflow.csv": b"x,y\n1,2\n2,1e39\n-4e38,5\n4,17\n5,26\n",
        "duplicate_x.csv": b"x,y\n1,2\n1,2.5\n2,5\n2,5.5\n3,10\n",
        "decimal_point_in_comma_file.csv": "x;y\n1,5;2,25\n2,5;6.25\n3,5;12,25\n4,5;20,25\n".encode(),
        "na_words.csv": b"x,y\n1,2\nNA,5\n3,N/A\n4,17\n5,#DIV/0!\n6,37\n",
        # too little data and unreadable files
        "empty.csv": b"",
        "whitespace_only.csv": b"  \n\n \n",
        "header_only.csv": b"x,y\n",
        "one_row.csv": b"x,y\n1,2\n",
        "all_bad.csv": b"x,y\n1,abc\ndef,2\n,\n",
        "one_column.csv": b"x\n1\n2\n3\n",
        "text_only.csv": b"name,city\nKim,Seoul\nLee,Busan\n",
        "one_numeric_column.csv": b"name,score\nKim,90\nLee,85\nPark,77\n",
        "ragged.csv": b"x,y\n1,2\n2,5\n3,10,7\n4,17\n",
        "title_row.csv": b"Study hours and scores\nx,y\n1,2\n2,5\n",
        "unclosed_quote.csv": b'x,y\n1,2\n"2,5\n3,10\n',
        "three_rows.csv": b"x,y\n1,2\n2,5\n3,10\n",
        # sizes, with a lowered limit in cases.toml
        "eleven_rows.csv": ("x,y\n" + "".join(f"{i},{i * i}\n" for i in range(11))).encode(),
        "two_kilobytes.csv": ("x,y\n" + "".join(f"{i},{i * i}\n" for i in range(300))).encode()[:2048].rsplit(b"\n", 1)[0] + b"\n",
        # other kinds of file
        "png_renamed.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89",
        "pdf_renamed.csv": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        "old_excel.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
        "binary.csv": bytes(range(256)) * 4,
        "damaged.xlsx": b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40,
    }
    return files


def codecs_bom_be(text: str) -> bytes:
    return b"\xfe\xff" + text.encode("utf-16-be")


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_timestamps(buffer.getvalue())


def _fixed_timestamps(content: bytes) -> bytes:
    """Rewrite the workbook with fixed dates, so that rerunning the script changes no bytes."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(content))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _fixed_core_properties(data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, data)
    return target_buffer.getvalue()


def _fixed_core_properties(xml: bytes) -> bytes:
    import re

    return re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2024-01-01T00:00:00Z", xml)


def excel_files() -> dict[str, bytes]:
    lesson = [["x", "y"], [-10.0, 327.79], [-9.9, 320.35], [-9.8, 313.38], [-9.7, 305.74], [-9.6, 298.46]]
    korean = [
        [None, None, None, None],
        ["공부시간", "점수", "합격", "이름"],
        [1, 52, False, "김민준"],
        [2, 55, False, "이서연"],
        [None, None, None, None],
        [3, "결시", False, "박지호"],
        [4, 70, True, "최수아"],
        [5, 81.5, True, "정하준"],
    ]
    return {
        "workbook.xlsx": workbook({"Sheet1": lesson}),
        "workbook_korean_two_sheets.xlsx": workbook({"성적": korean, "메모": [["메모"], ["2학기"]]}),
        "workbook_no_header.xlsx": workbook({"Sheet1": lesson[1:]}),
        "workbook_title_row.xlsx": workbook({"Sheet1": [["2학기 공부 시간과 점수"], [], *lesson]}),
        "xlsx_renamed.csv": workbook({"Sheet1": lesson}),
    }


def all_files() -> dict[str, bytes]:
    return {**text_files(), **excel_files()}


def main() -> int:
    for name, content in all_files().items():
        (HERE / name).write_bytes(content)
    print(f"wrote {len(all_files())} files to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
