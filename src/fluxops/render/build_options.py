"""The options of one render (`Renderer`): substitution strictness and the Flux version,
sources mapped to folders, the engine, the cache, progress and cancellation, confinement,
batching."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fluxops.render.cache import SharedOutputs
    from fluxops.render.live_variables import VariableSource

__all__ = ["BuildOptions", "Progress"]

Progress = Callable[[int, int], None]


@dataclass
class BuildOptions:
    #: None: as each cluster's Flux version does (`flux_version`, else detected).
    strict: bool | None = None
    flux_version: str | None = None
    owner_labels: bool = True
    sources: dict[tuple[str, str, str], Path] = field(default_factory=dict)
    kustomize_bin: str | None = None
    jobs: int = 0
    cache: bool = True
    cache_dir: Path | None = None
    progress: Progress | None = None
    #: Asked after each Kustomization: True stops the run (CancelledByClient).
    cancelled: Callable[[], bool] | None = None
    #: Fetch remote bases and URL file sources (with a clean environment); off: refused.
    allow_remote: bool = False
    #: Confine the engine with Landlock where the system has it (tests turn it off to show
    #: the other layers on their own).
    landlock: bool = True
    #: `drift`: substituteFrom read where the controller reads them, Secret values as tokens
    variable_source: VariableSource | None = None
    #: `drift --ks`: called when an engine process has started (it opens its cluster
    #: connection then, while kustomize runs, rather than competing with the staging for CPU)
    on_engine_start: Callable[[], None] | None = None
    #: Outputs shared with other renderers of this process (see render.cache.SharedOutputs).
    store: SharedOutputs | None = None
    #: Build many Kustomizations in one kustomize run (render/batch.py); FLUXOPS_BATCH=0
    #: builds each on its own.
    batch: bool = field(default_factory=lambda: os.environ.get("FLUXOPS_BATCH", "") != "0")

    def cache_settings(self, engine_version: str) -> str:
        """What of these options (and of the code and the engine) a cached render depends
        on: part of the walk and result caches' keys (render/walkcache.py, render/kscache.py)."""
        from fluxops.loader.cachefiles import code_stamp

        return repr(
            (
                code_stamp(),
                engine_version,
                self.strict,
                self.flux_version,
                self.owner_labels,
                self.variable_source is not None,
                os.environ.get("FLUXOPS_MAX_FILE_BYTES", ""),
            )
        )
