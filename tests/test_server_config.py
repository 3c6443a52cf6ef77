"""The server settings in .streamlit/config.toml, as Streamlit itself reads them.

Read through Streamlit's own config loader, so that an option renamed in a later Streamlit
(which it would ignore) fails here instead of silently changing how the server behaves.
"""

import pytest
from streamlit import config

from tests.conftest import ROOT


@pytest.fixture
def options(monkeypatch):
    monkeypatch.chdir(ROOT)  # Streamlit reads .streamlit/config.toml from the working directory
    config.get_config_options(force_reparse=True)
    yield config.get_option
    config.get_config_options(force_reparse=True)


def test_config_keeps_server_local(options):
    assert options("browser.gatherUsageStats") is False
    assert options("server.address") == "127.0.0.1"
    assert options("browser.serverAddress") == "localhost"  # no external-IP look-up for a URL
    assert options("server.fileWatcherType") == "none"


def test_config_disables_post_script_gc(options):
    # The live view reruns 4 times a second per training session; see the comment in the file.
    assert options("runner.postScriptGC") is False


def test_config_upload_limit_matches_parser(options):
    from polyreg_core.tables import DEFAULT_MAX_UPLOAD_MB

    assert options("server.maxUploadSize") == DEFAULT_MAX_UPLOAD_MB
