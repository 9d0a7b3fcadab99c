"""fluxops.status (see DESIGN.md layers)."""
