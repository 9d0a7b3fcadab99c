"""Helm values as helm-controller composes them, and their differences across environments.
`strvals` (Helm's `--set` syntax, parser in `strvals_parser`), `read` (values data as Helm's
ReadValues reads it), `tree` (MergeMaps, paths, nulls), `compose` (a HelmRelease's valuesFrom
and values), `valuediff` and `releases` (the diff), `verb` runs one values-diff."""
