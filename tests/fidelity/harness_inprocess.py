"""Fidelity harness: fluxops's library called in the test process, for what its CLI masks.

`fluxops build` prints every v1 Secret value as `**SECRET**` (house rule: Secret values never
reach output) and offers no way around it. Its library (`fluxops.api.build`) returns the
rendered objects themselves: masking is done by the renderers. So the harness builds each
definition a second time in process, with the same request as the CLI run and the same build
cache, and takes only Secret objects from it, whose values replace the masks inside the test
process (harness_compare.reveal). Nothing unmasked is written, printed or returned to users.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fluxops import api

from .harness_compare import RawObjects, identity, is_secret

_ENV_LOCK = threading.Lock()


@contextmanager
def _cache_dir(path: Path) -> Iterator[None]:
    """The build cache the CLI runs of this repo use (read at build time from the env)."""
    with _ENV_LOCK:
        old = os.environ.get("FLUXOPS_CACHE_DIR")
        os.environ["FLUXOPS_CACHE_DIR"] = str(path)
        try:
            yield
        finally:
            if old is None:
                del os.environ["FLUXOPS_CACHE_DIR"]
            else:
                os.environ["FLUXOPS_CACHE_DIR"] = old


def _secrets(objects: list[dict[str, Any]]) -> RawObjects:
    out: RawObjects = {}
    for obj in objects:
        if is_secret(obj):
            out.setdefault(identity(obj), []).append(obj)
    return out


def secrets_of_ks(request: dict[str, Any], cache_dir: Path) -> RawObjects:
    """The Secrets of one `--ks` build (fields of api.BuildRequest), by identity."""
    with _cache_dir(cache_dir):
        result = api.build(api.BuildRequest(**request, jobs=1))
    return _secrets([o.raw for b in result.builds if b.status == "ok" for o in b.objects])


def secrets_of_all(
    root: Path, cache_dir: Path, *, strict_substitute: bool = True
) -> dict[tuple[str, str, str], RawObjects]:
    """The Secrets of `fluxops build ROOT --all`, by (cluster, namespace, name) of the
    Kustomization that renders them, then by identity."""
    with _cache_dir(cache_dir):
        result = api.build(
            api.BuildRequest(
                path=str(root),
                all_=True,
                include_unreached=True,
                strict_substitute=strict_substitute,
            )
        )
    return {
        (b.cluster, b.namespace, b.name): _secrets([o.raw for o in b.objects])
        for b in result.builds
        if b.status == "ok"
    }
