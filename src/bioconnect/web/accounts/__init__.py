"""The accounts capability's pages and API routes."""
