"""Translated strings for the pages and the CLI.

Strings live in ``locales/<lang>/<domain>.toml``; a key is ``<domain>.<name>``. Splitting by
domain keeps each screen's strings together. Both languages must have the same keys and the
same ``{placeholders}`` (a test checks this).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from polyreg_core.errors import PolyregError

LANGS = ("ko", "en")
DEFAULT_LANG = "ko"
_LOCALES = Path(__file__).parent / "locales"


@cache
def catalog(lang: str) -> dict[str, str]:
    """Load every ``<domain>.toml`` of one language into a flat ``{key: text}`` dict."""
    strings: dict[str, str] = {}
    for path in sorted((_LOCALES / lang).glob("*.toml")):
        with path.open("rb") as f:
            for name, text in tomllib.load(f).items():
                strings[f"{path.stem}.{name}"] = text
    return strings


def t(key: str, lang: str, **params: object) -> str:
    """Return the text of ``key`` in ``lang`` with ``params`` filled in.

    A missing key returns the key itself, so a gap shows up on screen instead of crashing a page.
    """
    text = catalog(lang if lang in LANGS else DEFAULT_LANG).get(key, key)
    return text.format(**params) if params else text


def error_message(error: PolyregError, lang: str) -> str:
    """Translate a typed error into one message for the page or the CLI.

    A parameter that is itself a PolyregError (the reason a file was rejected) is translated
    first and filled in as text.
    """
    params = {
        name: error_message(value, lang) if isinstance(value, PolyregError) else value
        for name, value in error.params.items()
    }
    return t(f"errors.{error.code}", lang, **params)


def lang_from_locale(locale: str | None) -> str:
    """Pick the UI language from a browser locale such as ``ko-KR`` or ``en-US``.

    Korean for ``ko-*``, English for any other known language, Korean when unknown.
    """
    if not locale:
        return DEFAULT_LANG
    return "ko" if locale.lower().startswith("ko") else "en"
