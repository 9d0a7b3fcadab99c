"""Linear-time regular expressions (RE2) for patterns that come from repository files.

Kubernetes checks CRD `pattern`s with Go's regexp, and Go's gitignore-style matching of
`.sourceignore` does not backtrack either: both run in time linear in the input. Python's `re`
backtracks (`^(a+)+$` against 30 `a`s and a `b` takes minutes), so a hostile repository could
stall fluxops with one line. Patterns from a repository are compiled with google-re2 (RE2
syntax and semantics, as Go's), imported on first use (about 8 ms).
"""

from __future__ import annotations

import functools
from typing import Any, Protocol

from fluxops.errors import InputError


class Matcher(Protocol):
    def search(self, text: str) -> Any: ...

    def fullmatch(self, text: str) -> Any: ...


class PatternError(InputError, ValueError):
    """A pattern RE2 cannot compile (Go's regexp would refuse it too)."""


@functools.lru_cache(maxsize=4096)
def compile_linear(pattern: str) -> Matcher:
    """An RE2 matcher for `pattern`; PatternError when it does not compile."""
    import re2

    options = re2.Options()
    options.log_errors = False
    options.max_mem = 64 << 20
    try:
        return re2.compile(pattern, options)  # type: ignore[no-any-return]
    except re2.error as exc:
        detail = exc.args[0] if exc.args else ""
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise PatternError(str(detail) or "invalid pattern") from None
    except (TypeError, ValueError) as exc:
        raise PatternError(str(exc)) from None
