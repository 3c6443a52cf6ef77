"""``streamlit`` with one fault injected: training a dataset named bug.csv raises RuntimeError.

The log test starts the server through this file to check that a real bug, unlike a user's
mistake, still logs its traceback. Usage: python tests/browser/faulty_streamlit.py run app.py …
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from streamlit.web.cli import main  # noqa: E402

from polyreg_core import jobs  # noqa: E402

FAULTY_NAME = "bug.csv"
FAULT_MESSAGE = "fault injected by the log test"
_train = jobs.train


def train_with_fault(dataset, *args, **kwargs):
    if dataset.name == FAULTY_NAME:
        raise RuntimeError(FAULT_MESSAGE)
    return _train(dataset, *args, **kwargs)


if __name__ == "__main__":
    jobs.train = train_with_fault
    sys.exit(main())
