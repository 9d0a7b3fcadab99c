"""Differences: HelmRelease values composed as helm-controller does, and diffs between them.

- `strvals`: Helm's `--set` / `--set-string` / `--set-literal` parser (`pkg/strvals`).
- `helm_values`: `spec.valuesFrom` + `spec.values` composed exactly as fluxcd/pkg
  `chartutil.ChartValuesFromReferences` does, with Secret-sourced paths tracked for masking.
- `values_diff`: a small recursive diff of values (lists are atomic, as Helm replaces them).
"""
