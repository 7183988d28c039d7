"""Impact dashboard pipelines: ingest, validation, scoring, storage and metrics. Never imports streamlit."""

from pipelines.files import owner_only

owner_only()  # the app and the command line create every file owner-only (pipelines/files.py)
