"""The dashboard as served: dashboard.py inside a Streamlit App whose guard refuses what a visitor must not reach
(ui/server.py). `python3 dev.py run` and `python3 dev.py serve` start this file; docs/operations.md says how."""

import streamlit as st
from starlette.middleware import Middleware

from ui.server import Guard, ignore_client_cache_clearing

ignore_client_cache_clearing()
app = st.App("dashboard.py", middleware=[Middleware(Guard)])
