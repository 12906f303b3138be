"""The Reports capability: the Reports page and the reports API."""
