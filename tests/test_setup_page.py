"""The demo changes nothing, and setting up in the app (AppTest): from the sample to the first administrator, signed
in, and the charity's first load confirmed, with its name on every download."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipelines import settings, store
from pipelines.template import blank_template
from tests.apphelpers import ROOT, assert_ran, copy_database, fill_template, record_downloads, sample_banner, widget
from ui.auth import SESSION_KEY

pytestmark = pytest.mark.usefixtures("app_runtime")
PASSWORD = "a long first password"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def fresh_sample(sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample as the dashboard first opens it: no account yet."""
    db = copy_database(sample_db, tmp_path / "fresh")
    with store.connect(db) as con:
        con.execute("DELETE FROM users")
    monkeypatch.setenv("IMPACT_DB", str(db))
    return db


def demo() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    assert_ran(at)
    return at


def test_the_demo_offers_no_change_on_any_page(fresh_sample: Path) -> None:
    at = demo()
    assert sample_banner(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/settings.py")
    for script in ("pages/overview.py", "pages/outcomes.py", "pages/reach.py", "pages/funding.py", "pages/reports.py"):
        at.switch_page(script).run()
        assert_ran(at)
        assert not at.get("file_uploader") and not at.text_input, f"{script} offers a change to the demo"
    at.switch_page("pages/upload.py").run()
    assert_ran(at)
    assert not at.get("file_uploader"), "no upload in the demo"
    assert not {"Load", "Roll back…", "Remove the sample data…"} & {b.label for b in at.button}
    assert [f.label for f in at.text_input] == [
        "Charity name",
        "Your user name",
        "Password (at least 10 characters)",
        "The password again",
    ]


def set_up(at: AppTest, charity: str, name: str, password: str, again: str | None = None) -> AppTest:
    at.switch_page("pages/upload.py").run()
    widget(at.text_input, "Charity name").input(charity)
    widget(at.text_input, "Your user name").input(name)
    widget(at.text_input, "Password (at least 10 characters)").input(password)
    widget(at.text_input, "The password again").input(again or password)
    widget(at.multiselect, "Local authorities served (you can choose them later in Settings)").select("E08000027")
    widget(at.button, "Set up and sign in").click().run()
    assert_ran(at)
    return at


def test_setting_up_signs_the_first_administrator_in_and_the_first_load_is_theirs(
    fresh_sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = set_up(demo(), "Hope Street Wellbeing", "ada", PASSWORD)
    assert [s.value for s in at.success] == [
        "Set up for Hope Street Wellbeing. You are signed in as ada, its administrator. Now choose your "
        "spreadsheets below and press Load: your first load takes the sample out."
    ]
    assert any("Signed in as **ada** (administrator)" in c.value for c in at.sidebar.caption)
    assert at.session_state[SESSION_KEY][0], "a server-side session, which a refresh resumes"

    at.file_uploader[0].set_value([("june.xlsx", fill_template(blank_template()), XLSX)]).run()
    widget(at.button, "Load").click().run()
    assert_ran(at)
    [loaded] = [s.value for s in at.success]
    assert loaded.startswith("Loaded june.xlsx: ") and "The sample data of Brightside Mind was removed" in loaded
    assert not sample_banner(at) and any("Signed in as **ada**" in c.value for c in at.sidebar.caption)

    with store.connect(fresh_sample) as con:
        assert store.one(con, "SELECT loaded_by FROM uploads ORDER BY upload_id DESC LIMIT 1") == ("ada",)
        assert settings.brand(con).charity_name == "Hope Street Wellbeing"
        assert settings.area(con).names == ("Dudley",)

    downloads: dict[str, object] = {}
    record_downloads(monkeypatch, downloads)
    at.switch_page("pages/overview.py").run()
    assert_ran(at)
    assert downloads and all(name.startswith("hope-street-wellbeing_") for name in downloads), list(downloads)


@pytest.mark.parametrize(
    ("charity", "name", "password", "again", "said"),
    [
        ("Hope", "ada", PASSWORD, "another long password", "The two passwords differ."),
        ("", "ada", PASSWORD, None, "Nothing was set up. Type the charity's name"),
        ("Hope", "ada", "short", None, "Nothing was set up. A password must be at least 10 characters long."),
    ],
)
def test_a_set_up_that_will_not_do_says_why_and_keeps_the_demo(
    fresh_sample: Path, charity: str, name: str, password: str, again: str | None, said: str
) -> None:
    at = set_up(demo(), charity, name, password, again)
    assert at.error[0].value.startswith(said)
    assert any("Demo" in c.value for c in at.sidebar.caption)


def test_once_set_up_the_demo_sends_visitors_to_sign_in(fresh_sample: Path) -> None:
    set_up(demo(), "Hope", "ada", PASSWORD)
    at = demo()  # another visitor, while only the sample is loaded
    at.switch_page("pages/upload.py").run()
    assert_ran(at)
    assert any("set up for a charity already" in i.value for i in at.info)
    assert not at.text_input
