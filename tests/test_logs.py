"""Server log lines: a caught user error is one line without a traceback; a bug keeps it."""

import logging

from polyreg_core.data import generate
from polyreg_core.errors import DataError
from polyreg_core.jobs import TrainingJob
from polyreg_core.logs import log_user_error
from polyreg_core.training import TrainConfig


def test_user_error_is_one_line(caplog):
    caplog.set_level(logging.INFO, logger="polyreg_core")
    error = DataError("not_numeric", file="a.csv", row=3, value="1\n2\r\x00" + "9" * 500)
    log_user_error(logging.getLogger("polyreg_core.test"), error, session="abc")
    (record,) = caplog.records
    text = record.getMessage()
    assert text.startswith("user error not_numeric: session='abc' file='a.csv' row=3 value=")
    assert "\n" not in text
    assert "\r" not in text
    assert len(text) < 300
    assert record.exc_info is None


def test_job_logs_rejected_settings_once(caplog):
    caplog.set_level(logging.INFO, logger="polyreg_core")
    job = TrainingJob(generate(), TrainConfig(epochs=0), session_id="s1").start()
    job.join(timeout=60)
    lines = [r for r in caplog.records if "user error" in r.getMessage()]
    assert len(lines) == 1
    assert "out_of_range" in lines[0].getMessage()
    assert "session='s1'" in lines[0].getMessage()
    assert lines[0].exc_info is None
    assert job.snapshot().error.code == "out_of_range"
