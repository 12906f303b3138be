"""The atlas capability's pages and API routes."""
