"""The cluster connection of `drift`, opened in the background while the repo renders.

The render spends most of its time waiting on kustomize (a subprocess): meanwhile a thread
imports the HTTP client, reads the kubeconfig, runs discovery and, with `--ks`, reads the live
Flux Kustomization (its inventory says what to look for) and starts reading what it applied.
The render's own reads of substituteFrom ConfigMaps and Secrets wait for the connection only
when they need it.

`deferred` (--ks): the thread starts its work when kustomize has started (`start_now`), not
before: on two cores, Python threads share one, so connecting while the repository is staged
only delays kustomize; once it runs, the main thread waits and the connection is free to go.
A render that needs the connection, or ends without running kustomize, starts it too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fluxops.cluster.client import ClusterClient
    from fluxops.cluster.live import LiveReader

KS_GROUP = "kustomize.toolkit.fluxcd.io"


@dataclass
class Opened:
    source: ClusterClient
    reader: LiveReader
    #: (namespace, name) -> the live Flux Kustomization (None: absent)
    kustomizations: dict[tuple[str, str], dict[str, Any] | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: seconds the comparison waited for the connection after the render
    waited: float = 0.0


class EarlyConnection:
    """Opens the connection in a daemon thread: a render that fails (a usage error, a typo in
    --ks) is reported at once, without waiting for an unreachable server's timeout."""

    def __init__(
        self,
        kubeconfig: str | None,
        context: str | None,
        *,
        timeout: float,
        workers: int,
        refs: list[tuple[str, str]],
        deferred: bool = False,
        warm_up: Callable[[], None] | None = None,
    ) -> None:
        self._go = threading.Event()
        if not deferred:
            self._go.set()
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._abandoned = False
        self._opened: Opened | None = None
        self._error: BaseException | None = None
        self._warm_up = warm_up
        args = (kubeconfig, context, timeout, workers, refs)
        threading.Thread(target=self._run, args=args, name="fluxops-connect", daemon=True).start()

    def _run(
        self,
        kubeconfig: str | None,
        context: str | None,
        timeout: float,
        workers: int,
        refs: list[tuple[str, str]],
    ) -> None:
        self._go.wait()
        if self._abandoned:  # the render failed before the connection was needed
            self._done.set()
            return
        _warm_up_render()
        try:
            opened = self._open(kubeconfig, context, timeout, workers, refs)
        except BaseException as exc:  # handed to the caller by get()
            self._error = exc
        else:
            with self._lock:
                if self._abandoned:
                    opened.source.close()
                else:
                    self._opened = opened
        self._done.set()
        if self._warm_up is not None and not self._abandoned:
            self._warm_up()

    @staticmethod
    def _open(
        kubeconfig: str | None,
        context: str | None,
        timeout: float,
        workers: int,
        refs: list[tuple[str, str]],
    ) -> Opened:
        from fluxops.cluster.client import connect
        from fluxops.cluster.live import LiveReader

        source = connect(kubeconfig, context, timeout=timeout)
        opened = Opened(source, LiveReader(source, workers=workers))
        try:
            # a server that is not reachable or not Kubernetes is exit 2, naming the server
            # and context: never "every object missing"
            source.probe()
            if refs:
                opened.kustomizations = live_kustomizations(opened.reader, refs, opened.notes)
        except BaseException:
            source.close()
            raise
        if len(refs) == 1:
            _prefetch(opened.reader, refs[0], opened.kustomizations.get(refs[0]))
        warm_up()
        return opened

    def start_now(self) -> None:
        """Connect now (a deferred connection waits for this)."""
        self._go.set()

    def get(self) -> Opened:
        """The connection (raises what connecting raised)."""
        self._go.set()
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._opened is not None
        return self._opened

    def close(self) -> None:
        """Give the connection up (error paths): closed now if open, else when it opens."""
        with self._lock:
            self._abandoned = True
            opened, self._opened = self._opened, None
        self._go.set()
        if opened is not None:
            opened.source.close()


def owner_selector(namespace: str, name: str) -> dict[str, str | None]:
    """The label selector of the objects one Flux Kustomization applied (its owner labels)."""
    from fluxops.drift.ignore import OWNER_NAME, OWNER_NAMESPACE

    return {OWNER_NAME: name, OWNER_NAMESPACE: namespace}


def _prefetch(reader: LiveReader, ref: tuple[str, str], live_ks: dict[str, Any] | None) -> None:
    """While the repo renders, ask for what the comparison will read: the kinds in the live
    Kustomization's inventory, listed by its owner labels, and the inventory entries that
    list does not return (deleted, or their labels removed)."""
    from fluxops.cluster.live import Wanted
    from fluxops.drift.inventory import inventory_of

    inventory = inventory_of(live_ks) or {}
    entries = [(key, api) for key, api in inventory.items() if api]
    kinds = sorted({(api, key[1]) for key, api in entries})
    if kinds:
        reader.prefetch(
            kinds,
            owner_selector(*ref),
            [Wanted(api, key[1], key[2], key[3]) for key, api in entries],
            custom=_custom_kind,
        )


def _custom_kind(api_version: str, kind: str) -> bool:
    """A kind of an API group the built-in schemas do not describe (its schema comes from
    its CRD: drift.schema_sources)."""
    from fluxops.drift.schema import builtin_schemas

    group, _, version = api_version.rpartition("/")
    return bool(group) and builtin_schemas().lookup(group, version, kind) is None


def _warm_up_render() -> None:
    """What the render needs once kustomize is done (its output's post-processing), loaded
    first, while kustomize runs: the render would otherwise wait for this thread's imports.
    Not when the render came from the result cache (render/kscache.py), which loads no
    renderer."""
    import sys

    if "fluxops.render.build" not in sys.modules:
        return
    import fluxops.render.outcome
    import fluxops.render.postbuild  # noqa: F401


def warm_up() -> None:
    """What the comparison needs next, loaded while the render still waits on kustomize (or,
    after a render that ran none, by the main thread while this one waits on the server): the
    comparison's modules and the built-in kinds' schema index."""
    import fluxops.drift.plan  # noqa: F401
    from fluxops.drift.schema import builtin_schemas

    builtin_schemas().lookup("", "v1", "ConfigMap")


def live_kustomizations(
    reader: LiveReader, refs: list[tuple[str, str]], notes: list[str]
) -> dict[tuple[str, str], dict[str, Any] | None]:
    """The live Flux Kustomizations (their status.inventory says what to prune)."""
    from fluxops.cluster.live import Wanted
    from fluxops.errors import ClusterError

    if not refs:
        return {}
    try:
        versions = reader.source.served_versions(KS_GROUP)
    except ClusterError:
        versions = []
    version = "v1" if "v1" in versions or not versions else versions[0]
    api_version = f"{KS_GROUP}/{version}"
    got = reader.read([Wanted(api_version, "Kustomization", ns, name) for ns, name in refs])
    out: dict[tuple[str, str], dict[str, Any] | None] = {}
    for ns, name in refs:
        key = (KS_GROUP, "Kustomization", ns, name)
        if key in got.errors:
            notes.append(
                f"cannot read Kustomization {ns}/{name}: {got.errors[key]} (orphans not found)"
            )
        out[(ns, name)] = got.objects.get(key)
    return out
