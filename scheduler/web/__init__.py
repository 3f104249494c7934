"""The coordinator's web UI: server-rendered pages with light progressive enhancement (htmx)."""
