"""Service functions: what the CLI, the API and the reports call. No engine checks here."""
