"""The app's pages, listed once, and the one place that copes with Streamlit's legacy ``pages/`` folder."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.pages_manager import PagesManager

from pipelines.audit import ROLES, Actor
from ui.auth import sign_in_page

SHELL_KEY = "filters"  # set by the entry point's sidebar on every run


@dataclass(frozen=True)
class PageSpec:
    script: str
    title: str
    icon: str
    url_path: str
    filtered: bool = True  # follows the sidebar's period and activity filter
    role: str = "viewer"  # the least role that sees the page
    demo: bool = False  # a demo visitor sees it too (Upload data: where setting up for the charity starts)


PAGES = (
    PageSpec("pages/overview.py", "Overview", ":material/dashboard:", "overview"),
    PageSpec("pages/outcomes.py", "Outcomes", ":material/trending_up:", "outcomes"),
    PageSpec("pages/reach.py", "Reach", ":material/groups:", "reach"),
    PageSpec("pages/funding.py", "Funding", ":material/payments:", "funding"),
    PageSpec(
        "pages/upload.py", "Upload data", ":material/upload_file:", "upload", filtered=False, role="manager", demo=True
    ),
    PageSpec("pages/reports.py", "Reports", ":material/description:", "reports"),
    PageSpec("pages/settings.py", "Settings", ":material/settings:", "settings", filtered=False, role="administrator"),
)


def pages_for(actor: Actor) -> tuple[PageSpec, ...]:
    return tuple(p for p in PAGES if ROLES.index(actor.role) >= ROLES.index(p.role) or (actor.demo and p.demo))


def navigation(actor: Actor | None) -> StreamlitPage:
    """st.navigation over the pages the actor's role may use (only the sign-in page for nobody); "/" is a hidden
    page that opens the first one.

    Streamlit serves the default page at "/" and ignores its url_path, so Overview gets its own URL this way.
    """
    if actor is None:  # every page's URL shows the sign-in page (not "page not found"), and opens after signing in
        here = [st.Page(sign_in_page, title="Sign in", url_path=p.url_path) for p in PAGES]
        return st.navigation([st.Page(sign_in_page, title="Sign in", default=True), *here], position="hidden")
    pages = [st.Page(p.script, title=p.title, icon=p.icon, url_path=p.url_path) for p in pages_for(actor)]
    home = st.Page(
        lambda: st.switch_page(pages[0]), title=PAGES[0].title, url_path="home", default=True, visibility="hidden"
    )
    return st.navigation([home, *pages])


def filtered(page: StreamlitPage) -> bool:
    """Whether the page follows the sidebar filters (Upload and Settings do not, so the sidebar leaves them out)."""
    return next((p.filtered for p in PAGES if p.url_path == page.url_path), True)


def require_shell() -> None:
    """Make sure the entry point drew this run; every page calls this first.

    Streamlit still runs a ``pages/`` folder the legacy way (multipage apps v1) until the first st.navigation
    call clears its process-wide flag ``PagesManager.uses_pages_directory``. So a page opened by its own URL as the
    first request of a fresh server runs alone, without the entry point. Then hand routing to st.navigation and
    run again, so every page always gets the shell, its filters and its URL. Streamlit offers no setting for
    this (its advice is to rename the folder, which this project keeps): tests/test_shell.py fails if an upgrade
    changes the flag.
    """
    if SHELL_KEY not in st.session_state:
        PagesManager.uses_pages_directory = False
        st.rerun()
