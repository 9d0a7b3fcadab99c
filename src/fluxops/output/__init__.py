"""Renderers: result objects in, text out. One result model, many formats."""
