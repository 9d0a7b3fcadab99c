"""fluxops.mcp (see DESIGN.md layers)."""
