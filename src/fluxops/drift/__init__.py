"""`fluxops drift`: where the live cluster differs from what the repo renders, with Flux's
semantics. `plan` (what each owner, a Kustomization or a Helm release, wants), `compare` and
`fieldwise` (field by field, or from a server-side dry run), `verdicts` (the result model),
`ignore` (Flux's exclusions and `spec.ignore`), `managed_fields`, `normalize`, `secrets`
(masking), `schema` (merge keys and defaults per kind), `helm` and `helm_storage` (Helm release
objects); `verb` runs one drift check."""
