"""New files, never overwritten: `init` (the recommended Flux repository layout) and
`skill install` (the gitops skill). The only package that writes into a user's folder, and
only files that do not exist yet (created exclusively, never through a symlink)."""
