"""fluxops.scaffold (see DESIGN.md layers)."""
