"""Translated error messages for the pages, safe to render as Markdown.

``st.error`` and ``st.caption`` render Markdown, so a file name or a query value such as
``![x](http://host/pixel)`` would become an image fetched from another host. Text from users
is escaped before it is filled into a message.
"""

from __future__ import annotations

import re

from polyreg_core.errors import PolyregError
from polyreg_core.i18n import error_message

# Links, images, autolinks, HTML, code, emphasis, tables, LaTeX, and "&" for entities such as
# "&lt;". Characters that matter only at the start of a line (#, -, 1.) are left alone,
# because the text sits inside a sentence.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]()!<>|~$&])")
# Streamlit finds web addresses ("www.x", "http://x", "a@b.c") and icons (":material/home:")
# in the text after the Markdown is parsed, so a backslash cannot stop them. An invisible word
# joiner (U+2060) inside each pattern does. It stays in text copied from the page.
_WORD_JOINER = "\u2060"
_WWW = re.compile(r"(?i)(www)\.")


def escape_markdown(text: str) -> str:
    """Escape ``text`` so that Streamlit shows it as it is: no link, image, icon or formatting."""
    text = _MARKDOWN_SPECIALS.sub(r"\\\1", text)
    text = _WWW.sub(rf"\1{_WORD_JOINER}.", text)
    return text.replace(":", ":" + _WORD_JOINER).replace("@", _WORD_JOINER + "@")


def error_text(error: PolyregError, lang: str) -> str:
    """Translate ``error`` with every text parameter escaped for Markdown."""
    return error_message(_escaped(error), lang)


def _escaped(error: PolyregError) -> PolyregError:
    params = {}
    for name, value in error.params.items():
        if isinstance(value, PolyregError):
            value = _escaped(value)
        elif isinstance(value, str):
            value = escape_markdown(value)
        params[name] = value
    return type(error)(error.code, **params)
