"""`fluxops lint`: the GitOps conventions as rules, one module each in `rules/`. `verb` runs
one lint (render, read the configuration, build the context); `runner` runs the rules and
applies `.fluxops.yaml` (`config`) and inline suppressions (`suppress`); `context` is what a
rule sees (files, resources, the effective objects the Kustomizations render)."""
