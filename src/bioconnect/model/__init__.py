"""Typed shapes shared by every layer: region presets, import mappings and record kinds."""
