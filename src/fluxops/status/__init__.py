"""`fluxops status`: classify Flux objects (`classify`), find what blocks what (`graph`,
`analyze`), and say what to do next (`hints`, `hint_rules`). Pure functions from object dicts
to the result model (`states`); `collect` reads a cluster or snapshot through `fluxops.cluster`
and analyses it; `verb` runs `status` and `snapshot`."""
