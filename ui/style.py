"""The app's own CSS, added to every page by the entry point."""

APP_CSS = """<style>
/* The chart and table toolbars' own downloads would bypass export rules: only ours are offered. */
[data-testid="stElementToolbarButton"]:has(button[aria-label^="Download"]),
[data-testid="stElementToolbarButton"]:has(button[aria-label^="Show data"]),
[data-testid="stElementToolbarButton"]:has(button[aria-label^="Copy Vega"]) { display: none; }

/* Captions: Streamlit fades the text to 60% (#828180, a contrast of 3.9:1 on white); WCAG AA asks 4.5:1. This is 6.4:1. */
[data-testid="stCaptionContainer"] { color: #5f5e5c; opacity: 1; }

/* A headline figure's label and note wrap onto another line instead of ending in "…". */
[data-testid="stMetric"] [data-testid="stMetricLabel"],
[data-testid="stMetric"] [data-testid="stMetricLabel"] *,
[data-testid="stMetric"] [data-testid="stMetricDelta"] * {
    white-space: normal; overflow: visible; text-overflow: clip; height: auto;
}

/* A phone stacks columns one per row: a row of headline figures (and no chart) shows two to a row instead. */
@media (max-width: 640px) {
    [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]):not(:has(.vega-embed)) {
        flex-direction: row; flex-wrap: wrap; gap: 0.5rem;
    }
    [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]):not(:has(.vega-embed)) > [data-testid="stColumn"] {
        flex: 1 1 calc(50% - 0.25rem); min-width: calc(50% - 0.25rem); max-width: calc(50% - 0.25rem);
    }
    [data-testid="stMetric"] { padding: 0.75rem; }
    [data-testid="stMetricValue"] { font-size: 1.6rem; }
    [data-testid="stMetric"] [data-testid="stMetricValue"] * { white-space: normal; overflow: visible; text-overflow: clip; }

    /* A table wider than the phone wraps its cells: a sideways-scrolling box cannot be reached by keyboard. */
    [data-testid="stTableStyledTable"] { width: 100%; table-layout: fixed; }
    [data-testid="stTableStyledTable"] :is(th, td, th *, td *) { white-space: normal; overflow-wrap: anywhere; }
}
</style>"""
