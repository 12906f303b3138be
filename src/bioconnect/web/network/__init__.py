"""The network capability's pages and API routes."""
