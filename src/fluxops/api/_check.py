"""fluxops check: can this cluster run Flux and what the repository asks of it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fluxops.status.check import CheckRequest

if TYPE_CHECKING:
    from fluxops.status.check_model import CheckResult

__all__ = ["CheckRequest", "check"]


def check(request: CheckRequest) -> CheckResult:
    """The Kubernetes version against Flux's minimum, the Flux controllers and their versions,
    the Flux APIs served, and (with a repository) the API versions it uses that are not."""
    from fluxops.status.check import run

    return run(request)
