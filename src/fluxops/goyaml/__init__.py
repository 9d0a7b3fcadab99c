"""YAML as Go reads and writes it.

The Flux toolchain is written in Go: kubectl and every Flux controller decode YAML with
sigs.k8s.io/yaml (go-yaml v2, YAML 1.1 scalars), kustomize reads it with kyaml (go-yaml v3,
YAML 1.2 core). A plain `y`, `0380` or `3e91` is a string to PyYAML but a boolean or a number
to Go. This package is the one place that knows the difference:

- `resolve`: how a plain scalar resolves in go-yaml v2, go-yaml v3 and PyYAML (the shared
  tables), and `is_ambiguous`, the strings that must be quoted;
- `strconv`: Go's `ParseInt`/`ParseUint`/`ParseFloat`/`Atoi` and float32 `%g`, which those
  rules and Helm's and Flux's parsers rely on;
- `writer`: `dump`/`dump_all`, the one YAML writer of fluxops (Go reads back what it wrote);
- `reader`: `load`, one document decoded as sigs.k8s.io/yaml decodes it (what Flux applies).

The bottom layer: it imports nothing from fluxops but itself.
"""

from fluxops.goyaml.reader import JSONConversionError, json_key, load
from fluxops.goyaml.resolve import is_ambiguous, resolve_go
from fluxops.goyaml.writer import dump, dump_all

__all__ = [
    "JSONConversionError",
    "dump",
    "dump_all",
    "is_ambiguous",
    "json_key",
    "load",
    "resolve_go",
]
