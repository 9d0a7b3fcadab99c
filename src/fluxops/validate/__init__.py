"""`fluxops validate`: every rendered object against its schema, as the API server would check
it. Schemas come from the built-in kinds (`builtin`), the Flux CRDs and the CRDs found in the
repository (`crds`, `catalog`), converted to JSON Schema (`convert`) and compiled once
(`compiled`); CEL rules run with a cost budget (`celrules`, `celcost`); `validator` checks the
objects, `results` holds the outcome, `verb` runs one validation."""
