"""Impact dashboard pipelines: ingest, validation, scoring, storage and metrics. Never imports streamlit."""
