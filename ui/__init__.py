"""The app-side layer: caching, shared sidebar filters and chart building. Pages import from here."""
