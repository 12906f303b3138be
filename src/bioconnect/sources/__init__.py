"""Readers for open data and users' files."""
