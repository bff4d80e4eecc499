"""Belletje."""
