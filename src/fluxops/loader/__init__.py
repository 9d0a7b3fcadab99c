"""Reads the repository, confined as Flux reads a source (regular files and folders only, no
symlink followed, sizes capped: `confine`): YAML files (`repo`, `yamlio`), cluster entries
(`entries`), sources and their folders (`sources`, `artifacts`, `globs`, `sourceignore`). The
only code that reads repository files."""
