"""fluxops.validate (see DESIGN.md layers)."""
