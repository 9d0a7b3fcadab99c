"""What a change to the repository changes: two revisions rendered alike and compared per
cluster, per Flux Kustomization, per object (`diff`). Above the analyses (it composes
HelmRelease values with `fluxops.helmvalues`), below the output."""
