"""The page list and the workaround for Streamlit's legacy pages/ folder (ui/shell.py)."""

from __future__ import annotations

import inspect

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import script_runner

from tests.apphelpers import ROOT
from ui.shell import PAGES


def test_every_page_has_its_own_url_and_title() -> None:
    assert len({p.url_path for p in PAGES}) == len({p.title for p in PAGES}) == len(PAGES)
    assert all((ROOT / p.script).is_file() for p in PAGES)


@pytest.fixture
def fresh_flag():
    saved = PagesManager.uses_pages_directory
    PagesManager.uses_pages_directory = None
    yield
    PagesManager.uses_pages_directory = saved


@pytest.mark.usefixtures("fresh_flag")
def test_streamlit_still_runs_a_pages_folder_the_legacy_way() -> None:
    """ui.shell.require_shell exists because of this flag. If an upgrade drops it, drop the workaround too."""
    PagesManager(str(ROOT / "dashboard.py"))
    assert PagesManager.uses_pages_directory is True
    assert "PagesManager.uses_pages_directory" in inspect.getsource(script_runner)
