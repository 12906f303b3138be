"""The organisation registry: resolving source records into canonical organisations."""
