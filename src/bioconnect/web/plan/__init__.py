"""The plan capability's pages and API routes."""
