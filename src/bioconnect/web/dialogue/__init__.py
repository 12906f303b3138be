"""The dialogue capability's API routes."""
