import re
import string

import pytest

from polyreg_core.errors import DataError
from polyreg_core.i18n import catalog, error_message, lang_from_locale, t


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_languages_have_same_keys():
    assert set(catalog("ko")) == set(catalog("en"))


@pytest.mark.parametrize("key", sorted(catalog("en")))
def test_placeholders_match_between_languages(key):
    assert _fields(catalog("ko")[key]) == _fields(catalog("en")[key])


def test_no_english_left_in_korean():
    # A Korean string may equal the English one only when it has no words, as "x = {x}".
    same = [k for k, v in catalog("ko").items() if catalog("en")[k] == v]
    wordy = [k for k in same if re.search(r"[A-Za-z]{2,}", re.sub(r"\{[^}]*\}", "", catalog("ko")[k]))]
    assert wordy == []


@pytest.mark.parametrize(
    ("locale", "lang"),
    [("ko-KR", "ko"), ("ko", "ko"), ("en-US", "en"), ("de-DE", "en"), (None, "ko"), ("", "ko")],
)
def test_lang_from_locale(locale, lang):
    assert lang_from_locale(locale) == lang


def test_error_message_fills_parameters():
    error = DataError("missing_column", file="a.csv", column="y", found="x, z")
    assert error_message(error, "en") == t("errors.missing_column", "en", file="a.csv", column="y", found="x, z")
    assert "a.csv" in error_message(error, "ko")


def test_missing_key_shows_the_key():
    assert t("nowhere.nothing", "en") == "nowhere.nothing"
