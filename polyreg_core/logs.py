"""Server log output: one line for each error a user caused, and the handler that prints it.

A user's mistake (a bad upload, a setting out of range) is expected, so its log line carries
the error code and its parameters but no traceback. A bug keeps its traceback: the training
thread logs it with ``logger.exception`` and Streamlit logs an uncaught page exception.
"""

from __future__ import annotations

import logging
import sys

from polyreg_core.errors import PolyregError

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"  # as Streamlit's own lines
PACKAGES = ("polyreg_core", "polyreg_app")
MAX_VALUE_CHARS = 120


def configure(level: int = logging.INFO) -> None:
    """Print polyreg's log records on stderr. Safe to call on every rerun: adds one handler once."""
    for name in PACKAGES:
        logger = logging.getLogger(name)
        if any(getattr(handler, "polyreg", False) for handler in logger.handlers):
            continue
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.polyreg = True  # marks the handler as ours for the check above
        logger.addHandler(handler)
        logger.setLevel(level)
        # Without this a record would print twice once someone configures the root logger.
        logger.propagate = False


def log_user_error(logger: logging.Logger, error: PolyregError, **context: object) -> None:
    """Log a caught user error as one line: its code, then ``name=value`` pairs, no traceback."""
    fields = {**context, **error.params}
    details = " ".join(f"{name}={_one_line(value)}" for name, value in fields.items())
    logger.warning("user error %s: %s", error.code, details)


def _one_line(value: object) -> str:
    # repr() escapes newlines and control characters, so an uploaded value cannot split the line.
    text = repr(value) if isinstance(value, str) else str(value)
    text = text.replace("\n", "\\n").replace("\r", "\\r")
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"
