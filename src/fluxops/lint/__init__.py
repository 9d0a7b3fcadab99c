"""fluxops.lint (see DESIGN.md layers)."""
