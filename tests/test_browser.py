"""End to end in headless Chromium: a real `streamlit run` server, each page opened by its own URL first on a fresh
server, and later on one that has served the app already."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest

from benchmarks.first_start import NotServing, free_port, wait_until_healthy
from pipelines import funding, inventory, reach, sessions, store, users
from pipelines.audit import OPERATOR
from pipelines.query import Filters
from tests.apphelpers import ROOT, copy_database, fill_template
from tests.helpers import workbook
from ui import shell
from ui.auth import DEMO

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
AXE_JS = ROOT / ".venv" / "axe-core" / "node_modules" / "axe-core" / "axe.min.js"  # installed by dev.py (AXE_CORE)
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 390, "height": 844}
SCRIPT_DONE = """() => document.querySelector('[data-testid="stApp"]')
    ?.getAttribute('data-test-script-state') === 'notRunning'"""
STARTUP_SECONDS = 60
WAIT_MS = 30_000
MANAGER, PASSWORD = "browser-manager", "a long test password"  # signs in once the sample gives way to own data
VIEWER = "browser-viewer"  # same password: may look, never change
ADMIN = "browser-administrator"  # same password: opens Settings, which the demo does not offer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),  # one worker, one Chromium: servers started one at a time
    # CI sets REQUIRE_BROWSER=1: there a missing Chromium fails the test instead of skipping it.
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("REQUIRE_BROWSER"),
        reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)",
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")


def overview_figures(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Overview's headline figures for the default period, as the pipeline gives them (all at least 8 people)."""
    f = Filters(inventory.default_period(con))
    reached = reach.reach(con, f)
    assert reached["reached"] >= 8 and reached["new"] >= 8
    return {
        "People reached": f"{reached['reached']:,}",
        "New to the service": f"{reached['new']:,}",
        "Attendances": f"{reached['attendances']:,}",
        "Income in the period": f"£{funding.income(con, f):,.0f}",
    }


@dataclass(frozen=True)
class Page:
    path: str  # URL path, as in ui.shell.PAGES
    title: str
    charts: int  # Altair charts the page draws with the sample
    figures: Callable[[duckdb.DuckDBPyConnection], dict[str, str]] | None = None  # st.metric label -> value
    filtered: bool = True  # the sidebar shows the period and activity filters


CHARTS = {
    "overview": 2,
    "outcomes": 5,
    "reach": 4,
    "funding": 3,
    "upload": 0,
    "reports": 0,
    "settings": 0,
}  # Altair charts with the sample
FIGURES = {"overview": overview_figures}
PAGES = [Page(p.url_path, p.title, CHARTS[p.url_path], FIGURES.get(p.url_path), p.filtered) for p in shell.PAGES]
DEMO_PATHS = {p.url_path for p in shell.pages_for(DEMO)}  # the others need a signed-in administrator


# Fixtures -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: sync_api.Browser) -> Iterator[sync_api.Page]:
    context = chromium.new_context(viewport={"width": 1400, "height": 1800})
    yield context.new_page()
    context.close()


@contextmanager
def streamlit_server(sample_db: Path, folder: Path, accounts: bool = True) -> Iterator[str]:
    """A freshly started `streamlit run serve.py` (the dashboard behind its guard) on its own copy of the sample
    (with the test's accounts, or with none, as before setting up); yields its base URL."""
    db = copy_database(sample_db, folder / "server")
    con = store.connect(db)
    con.execute("DELETE FROM users")
    if accounts:
        users.add(con, MANAGER, "manager", PASSWORD, by=OPERATOR)
        users.add(con, VIEWER, "viewer", PASSWORD, by=OPERATOR)
        users.add(con, ADMIN, "administrator", PASSWORD, by=OPERATOR)
    con.close()
    port = free_port()
    env = {**os.environ, "IMPACT_DB": str(db)}
    env.pop("IMPACT_SECRET_FILE", None)
    log_path = folder / "streamlit.log"
    command = [
        sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true",
        "--server.port", str(port), "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        healthy(f"http://127.0.0.1:{port}", process, log_path)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def server(sample_db: Path, tmp_path: Path) -> Iterator[str]:
    """A server of this test's own, whose first request the test makes."""
    with streamlit_server(sample_db, tmp_path) as base:
        yield base


@pytest.fixture(scope="module")
def served(sample_db: Path, tmp_path_factory: pytest.TempPathFactory, chromium: sync_api.Browser) -> Iterator[str]:
    """One server for the tests that only look, which has already served the app once (its root URL, in a
    browser), as after a link followed, a bookmark or a reload."""
    with streamlit_server(sample_db, tmp_path_factory.mktemp("served")) as base:
        context = chromium.new_context(viewport={"width": 1400, "height": 1800})
        try:
            open_and_check(context.new_page(), f"{base}/", PAGES[0])
        finally:
            context.close()
        yield base


def healthy(base: str, process: subprocess.Popen, log: Path) -> None:
    try:
        wait_until_healthy(base, process, STARTUP_SECONDS)
    except NotServing as failed:
        pytest.fail(f"{failed}:\n{log.read_text(errors='replace')}")


# Checks -------------------------------------------------------------------------------------------


def signed_in_for(page: sync_api.Page, url: str, expected: Page) -> None:
    """Sign in as an administrator first when the demo does not offer the page (from the demo's Upload page, whose
    Sign in button a phone shows too); the session cookie keeps them signed in for ``url``."""
    if expected.path in DEMO_PATHS:
        return
    page.goto(url.rsplit("/", 1)[0] + "/upload")
    # the page's own button: the sidebar's is off screen on a phone
    page.locator('[data-testid="stMain"]').get_by_role("button", name="Sign in").first.click()
    sign_in(page, "Upload data", ADMIN)


def open_and_check(page: sync_api.Page, url: str, expected: Page) -> None:
    """Open a URL and check it shows the whole app on ``expected``'s page, charts drawn."""
    signed_in_for(page, url, expected)
    page.goto(url)
    sync_api.expect(page.locator("h1").first).to_have_text(expected.title, timeout=WAIT_MS)
    sync_api.expect(page.locator(".vega-embed")).to_have_count(expected.charts, timeout=WAIT_MS)
    for i in range(expected.charts):
        page.locator(".vega-embed").nth(i).locator("svg, canvas").first.wait_for(state="visible", timeout=WAIT_MS)

    sync_api.expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    assert page.get_by_text("Page not found").count() == 0
    sync_api.expect(page.locator("h1").first).to_have_text(expected.title)
    sidebar = page.locator('[data-testid="stSidebar"]')
    filters = sidebar.get_by_role("heading", name="Filters")
    if expected.filtered:
        sync_api.expect(filters).to_be_visible()
        sync_api.expect(sidebar.get_by_text("Period", exact=True)).to_be_visible()
    else:
        sync_api.expect(filters).to_have_count(0)
    sync_api.expect(page.locator('[data-testid="stAlert"]').filter(has_text="Sample data")).to_be_visible()


def check_figures(page: sync_api.Page, figures: dict[str, str]) -> None:
    for label, value in figures.items():
        metric = page.locator('[data-testid="stMetric"]').filter(
            has=page.locator('[data-testid="stMetricLabel"]', has_text=label)
        )
        sync_api.expect(metric).to_have_count(1)
        sync_api.expect(metric.locator('[data-testid="stMetricValue"]')).to_have_text(value)


def screenshot(page: sync_api.Page, name: str) -> None:
    """The whole page: Streamlit scrolls inside its main area, so the window is made as tall as the content first."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # the page's run finished, so its widgets are drawn rather than their placeholders; one that never finishes is
    # shown as it is, for the failure it goes with
    with contextlib.suppress(sync_api.Error):
        page.wait_for_function(SCRIPT_DONE, timeout=WAIT_MS)
        page.wait_for_load_state("networkidle", timeout=WAIT_MS)
    size = page.viewport_size
    height = page.evaluate(
        """() => Math.max(...['stMain', 'stSidebarContent'].map(
            id => document.querySelector(`[data-testid="${id}"]`)?.scrollHeight || 0))"""
    )
    if size and height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": min(height, 16_000)})
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if size:
        page.set_viewport_size(size)


def serious_accessibility_violations(page: sync_api.Page) -> list[str]:
    """axe-core's serious and critical WCAG 2.2 AA violations on the page as it is now, one line per element."""
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is not installed at {AXE_JS}: run the tests with `python3 dev.py test`")
    page.wait_for_function(  # the app's own CSS (ui/style.py) has arrived: captions drawn at full opacity
        """() => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
            .every(c => getComputedStyle(c).opacity === '1')""",
        timeout=WAIT_MS,
    )
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate(
        "async tags => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations",
        WCAG_22_AA,
    )
    return [
        f"{v['id']} ({v['impact']}) {' '.join(node['target'])}: {node['failureSummary']}"
        for v in violations
        if v["impact"] in ("serious", "critical")
        for node in v["nodes"]
    ]


def wait_for_charts(page: sync_api.Page) -> None:
    """Every chart of the finished run drawn: none left over from the run before (marked stale until it ends)."""
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidgetRunningIcon"], [data-stale="true"]')""",
        timeout=WAIT_MS,
    )
    charts = page.locator(".vega-embed")
    for i in range(charts.count()):
        charts.nth(i).locator("svg, canvas").first.wait_for(state="visible", timeout=WAIT_MS)


def choose_quarter_and_first_activity(page: sync_api.Page) -> str:
    """Pick "Quarter" (the latest) and the first activity in the sidebar; returns the activity."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Quarter", exact=True).first.click()
    sync_api.expect(sidebar.locator('[data-testid="stSelectbox"]').filter(has_text="Quarter")).to_be_visible()
    sidebar.locator('[data-testid="stMultiSelect"]').first.click()
    option = page.get_by_role("option").filter(has_not_text="Select all").first
    activity = option.inner_text().strip()
    option.click()
    page.keyboard.press("Escape")
    caption = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').first  # the page's own
    sync_api.expect(caption).to_contain_text(re.compile(r"\d{4}-\d{2} Q[1-4]"), timeout=WAIT_MS)
    sync_api.expect(caption).to_contain_text(activity, timeout=WAIT_MS)
    return activity


def check_metrics_two_to_a_row(page: sync_api.Page) -> None:
    """On a phone a row of headline figures shows two to a row, and no label ends in "…"."""
    boxes = [m.bounding_box() for m in page.locator('[data-testid="stMetric"]').all()[:3]]
    assert boxes[0]["y"] == boxes[1]["y"] < boxes[2]["y"], boxes
    assert boxes[0]["width"] < PHONE["width"] / 2 < boxes[1]["x"], boxes
    cut = page.locator('[data-testid="stMetricLabel"] p').evaluate_all(
        "labels => labels.filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.textContent)"
    )
    assert not cut, cut


# Tests --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("expected", PAGES, ids=[p.path for p in PAGES])
def test_page_opened_by_its_own_url_first(
    server: str, page: sync_api.Page, sample: duckdb.DuckDBPyConnection, expected: Page
) -> None:
    """The page's URL is the first request this server gets: it must still show the full app, not the page alone."""
    try:
        open_and_check(page, f"{server}/{expected.path}", expected)
        assert urlsplit(page.url).path == f"/{expected.path}", page.url
        if expected.figures:
            check_figures(page, expected.figures(sample))
    finally:
        screenshot(page, expected.path)


@pytest.mark.parametrize("expected", PAGES, ids=[p.path for p in PAGES])
def test_page_opened_by_its_own_url_later_is_accessible_and_fits_a_phone(
    served: str, chromium: sync_api.Browser, expected: Page
) -> None:
    """The page's URL opened after the server has served the app once shows the whole app on that page, with no
    serious or critical WCAG 2.2 AA violation (axe-core) wide and on a phone; screenshots of one quarter and one
    activity, and of the phone."""
    wide = chromium.new_context(viewport={"width": 1400, "height": 1800})
    phone = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = wide.new_page()
        open_and_check(page, f"{served}/{expected.path}", expected)
        assert urlsplit(page.url).path == f"/{expected.path}", page.url
        assert serious_accessibility_violations(page) == []
        if expected.filtered:
            choose_quarter_and_first_activity(page)
            wait_for_charts(page)
            screenshot(page, f"{expected.path}-quarter-activity")

        small = phone.new_page()
        signed_in_for(small, f"{served}/{expected.path}", expected)
        small.goto(f"{served}/{expected.path}")
        sync_api.expect(small.locator("h1").first).to_have_text(expected.title, timeout=WAIT_MS)
        sync_api.expect(small.locator(".vega-embed")).to_have_count(expected.charts, timeout=WAIT_MS)
        wait_for_charts(small)
        if expected.figures:
            small.locator('[data-testid="stMetric"]').nth(2).wait_for(state="visible", timeout=WAIT_MS)
            check_metrics_two_to_a_row(small)
        assert serious_accessibility_violations(small) == []
        screenshot(small, f"{expected.path}-phone")
    finally:
        wide.close()
        phone.close()


def test_root_url_shows_overview(server: str, page: sync_api.Page, sample: duckdb.DuckDBPyConnection) -> None:
    overview = next(p for p in PAGES if p.path == "overview")
    try:
        open_and_check(page, f"{server}/", overview)
        check_figures(page, overview_figures(sample))
    finally:
        screenshot(page, "root")


# Downloads ----------------------------------------------------------------------------------------


def test_a_chart_and_a_report_pack_download(served: str, page: sync_api.Page, tmp_path: Path) -> None:
    """Download a chart as a picture from its menu, then a funder's report pack from the Reports page."""
    open_and_check(page, f"{served}/overview", PAGES[0])
    page.get_by_role("button", name="Download").first.click()
    with page.expect_download() as chart:
        page.get_by_role("button", name="Picture (PNG)").first.click()
    assert chart.value.suggested_filename.endswith(".png")
    assert Path(chart.value.path()).read_bytes().startswith(b"\x89PNG")

    page.goto(f"{served}/reports")
    sync_api.expect(page.locator("h1").first).to_have_text("Reports", timeout=WAIT_MS)
    page.get_by_role("button", name="Make the report pack").click()
    with page.expect_download(timeout=120_000) as pdf:
        page.get_by_role("button", name=re.compile(r"impact-report.*\.pdf")).click(timeout=120_000)
    assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF")
    screenshot(page, "reports")


# Uploading through the browser --------------------------------------------------------------------


def test_upload_load_see_overview_change_problems_and_the_template(
    server: str, page: sync_api.Page, sample: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    june = tmp_path / "june.xlsx"
    june.write_bytes(register([[f"N{i:02}", dt.date(2025, 6, 3), "Peer group", "yes"] for i in range(1, 13)]))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(register([[f"B{i}", "31/02/2026", "Peer group", "yes"] for i in range(5)]))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # A good register, chosen in the file chooser by the manager (the demo loads nothing): checked, previewed,
    # loaded in place of the sample; Overview then counts the twelve people, and no sample banner
    open_upload(page, server, signing_in=True)
    page.set_input_files('input[type="file"]', str(june))
    wait_for_text(page, "june.xlsx: 12 attendances added.")
    wait_for_text(page, "Loading this will remove the sample data")
    wait_for_text(page, "Roll back an upload")  # the whole page drawn
    screenshot(page, "upload_preview")
    page.locator('[data-testid="stBaseButton-primary"]').filter(has_text="Load").click()
    loaded = page.locator('[data-testid="stAlert"]').filter(has_text="Loaded june.xlsx: 12 attendances added.")
    sync_api.expect(loaded).to_be_visible(timeout=WAIT_MS)
    screenshot(page, "upload_loaded")
    page.goto(f"{server}/overview")  # a new page load: the session cookie keeps the manager signed in
    sync_api.expect(page.locator("h1").first).to_have_text("Overview", timeout=WAIT_MS)
    check_figures(page, {"People reached": "12"})
    sync_api.expect(page.get_by_text("Sample data.")).to_have_count(0)
    page.locator(".vega-embed").first.locator("svg, canvas").first.wait_for(state="visible", timeout=WAIT_MS)
    screenshot(page, "upload_overview")

    # A broken register: its problems, grouped, the marked workbook to download, and nothing to load
    open_upload(page, server)
    page.set_input_files('input[type="file"]', str(broken))
    wait_for_text(page, "5 problems found")
    problems = page.locator('[data-testid="stTable"]').filter(has_text="31/02/2026")
    sync_api.expect(problems).to_have_count(1)
    sync_api.expect(page.get_by_role("button", name="broken.xlsx with problems marked")).to_be_visible()
    assert page.locator('[data-testid="stBaseButton-primary"]').filter(has_text="Load").count() == 0
    wait_for_text(page, "Roll back an upload")
    screenshot(page, "upload_problems")

    # The blank template: downloaded, filled in, uploaded and loaded
    open_upload(page, server)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download blank template").click()
    assert download.value.suggested_filename == "impact-dashboard-template.xlsx"
    filled = tmp_path / "filled template.xlsx"
    filled.write_bytes(fill_template(Path(download.value.path()).read_bytes()))
    page.set_input_files('input[type="file"]', str(filled))
    wait_for_text(page, "What will change")
    press_load(page, "Loaded filled template.xlsx: 1 participant profile added; 1 attendance added;")
    screenshot(page, "upload_template_loaded")
    assert not errors, errors

    # A viewer, in a browser of their own (the manager's has the manager's session cookie): the figures, and no way
    # to upload or change settings
    viewer = page.context.browser.new_context(viewport={"width": 1400, "height": 1800}).new_page()
    viewer.goto(f"{server}/upload")
    sign_in(viewer, "Overview", VIEWER)  # the Upload page is not theirs: they land on the Overview
    navigation = viewer.locator('[data-testid="stSidebarNav"]')
    sync_api.expect(navigation.get_by_text("Outcomes")).to_be_visible()
    sync_api.expect(navigation.get_by_text("Upload data")).to_have_count(0)
    sync_api.expect(navigation.get_by_text("Settings")).to_have_count(0)
    screenshot(viewer, "viewer_overview")
    viewer.context.close()


def open_upload(page: sync_api.Page, server: str, signing_in: bool = False) -> None:
    """The Upload page in a new session, so its file chooser starts empty (from the demo, signed in as the manager
    first if asked; else the session cookie keeps whoever signed in before)."""
    page.goto(f"{server}/upload")
    if signing_in:
        page.get_by_role("button", name="Sign in").first.click()  # the demo's Upload page sends staff to sign in
        sign_in(page, "Upload data")
    sync_api.expect(page.locator("h1").first).to_have_text("Upload data", timeout=WAIT_MS)
    page.locator('[data-testid="stFileUploader"]').wait_for(state="visible", timeout=WAIT_MS)


def sign_in(page: sync_api.Page, then: str = "Overview", who: str = MANAGER) -> None:
    """Sign in on the sign-in page (as the manager unless told); the page asked for (``then``) opens."""
    sync_api.expect(page.locator("h1").first).to_have_text("Sign in", timeout=WAIT_MS)
    page.get_by_role("textbox", name="User name").fill(who)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    sync_api.expect(page.locator("h1").first).to_have_text(then, timeout=WAIT_MS)
    wait_for_session_cookie(page)


def wait_for_session_cookie(page: sync_api.Page) -> None:
    """The page writes the session cookie at the end of the run that follows signing in; a refresh needs it."""
    page.wait_for_function(f"document.cookie.includes('{sessions.COOKIE}=')", timeout=WAIT_MS)


def wait_for_text(page: sync_api.Page, text: str) -> None:
    page.get_by_text(text).first.wait_for(state="visible", timeout=WAIT_MS)


def press_load(page: sync_api.Page, loaded: str) -> None:
    page.locator('[data-testid="stBaseButton-primary"]').filter(has_text="Load").click()
    sync_api.expect(page.locator('[data-testid="stAlert"]').filter(has_text=loaded)).to_be_visible(timeout=WAIT_MS)
    wait_for_text(page, "Roll back an upload")


def register(rows: list[list]) -> bytes:
    return workbook({"Register": [["participant_id", "session_date", "activity", "attended"], *rows]})


def test_from_the_sample_to_the_first_administrator_and_the_first_load_with_no_command_line(
    sample_db: Path, tmp_path: Path, page: sync_api.Page
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    june = tmp_path / "june.xlsx"
    june.write_bytes(register([[f"N{i:02}", dt.date(2025, 6, 3), "Peer group", "yes"] for i in range(1, 13)]))
    with streamlit_server(sample_db, tmp_path, accounts=False) as base:
        page.goto(f"{base}/upload")  # the demo's way to the charity's own data
        sync_api.expect(page.locator("h1").first).to_have_text("Upload data", timeout=WAIT_MS)
        page.get_by_role("textbox", name="Charity name").fill("Hope Street Wellbeing")
        page.get_by_role("textbox", name="Your user name").fill("ada")
        page.get_by_role("textbox", name="Password (at least 10 characters)").fill(PASSWORD)
        page.get_by_role("textbox", name="The password again").fill(PASSWORD)
        page.get_by_role("button", name="Set up and sign in").click()
        wait_for_text(page, "You are signed in as ada, its administrator.")
        wait_for_session_cookie(page)
        screenshot(page, "set_up_done")
        page.set_input_files('input[type="file"]', str(june))
        wait_for_text(page, "june.xlsx: 12 attendances added.")
        press_load(page, "Loaded june.xlsx: 12 attendances added.")
        wait_for_text(page, "Signed in as")

        page.reload()  # a refresh keeps the administrator signed in
        sync_api.expect(page.locator("h1").first).to_have_text("Upload data", timeout=WAIT_MS)
        wait_for_text(page, "Signed in as")
        page.goto(f"{base}/settings")
        sync_api.expect(page.locator("h1").first).to_have_text("Settings", timeout=WAIT_MS)
        charity = page.get_by_role("textbox", name="Charity name")
        sync_api.expect(charity).to_have_value("Hope Street Wellbeing")

        page.get_by_role("button", name="Sign out").click()
        sync_api.expect(page.locator("h1").first).to_have_text("Sign in", timeout=WAIT_MS)
        page.reload()  # signed out for good: a refresh does not bring the session back
        sync_api.expect(page.locator("h1").first).to_have_text("Sign in", timeout=WAIT_MS)
    assert not errors, errors
