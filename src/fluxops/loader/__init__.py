"""Reads the repository: YAML files, git refs. The only code that does repo file I/O."""
