"""What `LiveReader` asks ahead of time: `drift --ks` knows, from the live Kustomization's
inventory, which kinds and objects it will read; a background thread asks for them while the
repository renders, and the read that follows takes the answers instead of asking again.
Also the plain-thread map the reader runs its parallel requests with."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from fluxops.errors import NotServedError

if TYPE_CHECKING:
    from fluxops.cluster.live import Key, Obj, Wanted
    from fluxops.cluster.snapshot import ObjectSource

CRD_API_VERSION = "apiextensions.k8s.io/v1"
T = TypeVar("T")
R = TypeVar("R")


class Early:
    """The answer to one request made ahead of time (`ReadAhead.prefetch`): set when done;
    `error` means the caller asks again itself (and meets the error its own way)."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


def parallel_map(func: Callable[[T], R], items: list[T], workers: int) -> list[R]:
    """`func` over `items` on up to `workers` plain threads, results in order; the first
    exception is raised here (concurrent.futures would import logging: start-up of a short
    run)."""
    results: list[Any] = [None] * len(items)
    pending = iter(range(len(items)))
    lock = threading.Lock()
    failures: list[BaseException] = []

    def work() -> None:
        while True:
            with lock:
                i = next(pending, None)
            if i is None:
                return
            try:
                results[i] = func(items[i])
            except BaseException as exc:  # raised in the caller, as pool.map would
                failures.append(exc)

    threads = [
        threading.Thread(target=work, name="fluxops-read", daemon=True)
        for _ in range(max(1, min(workers, len(items))))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return results


class ReadAhead:
    """The ahead-of-time part of `LiveReader` (which provides what is declared here)."""

    source: ObjectSource
    live: bool

    if TYPE_CHECKING:

        def served_error(self, api_version: str, kind: str) -> str | None: ...

        def _list_now(
            self, api_version: str, kind: str, namespace: str | None, selector: str | None
        ) -> list[Obj]: ...

    def _init_ahead(self) -> None:
        #: requests made ahead of time: ("list", apiVersion, kind, selector) or
        #: ("get", apiVersion, kind, namespace, name) -> its answer
        self._early: dict[tuple[str, ...], Early] = {}
        self._early_lock = threading.Lock()

    def prefetch(
        self,
        kinds: Iterable[tuple[str, str]],
        selector: dict[str, str | None],
        objects: Iterable[Wanted] = (),
        custom: Callable[[str, str], bool] | None = None,
    ) -> None:
        """Start, in a daemon thread on one connection, what `read()` will ask: discovery and
        the cluster-wide owner-label LIST of each kind, then a GET of each of `objects` those
        lists did not return, then the CRD of each kind `custom(apiVersion, kind)` says is
        one (`get()` answers). `read()` and `get()` wait for an answer they need; a request
        that failed here is made again there (retries, fallbacks and errors as without)."""
        from fluxops.cluster.live import key_of, selector_text

        if not self.live:
            return
        text = selector_text(selector)
        kinds = list(dict.fromkeys(kinds))
        objects = list(dict.fromkeys(objects))
        # each answer is its own object: read() may take it out of `_early` before it is set
        lists = [(Early(), api, kind) for api, kind in kinds]
        gets = [(Early(), w) for w in objects]
        with self._early_lock:
            for early, api, kind in lists:
                self._early[("list", api, kind, text)] = early
            for early, w in gets:
                self._early[("get", w.api_version, w.kind, w.namespace, w.name)] = early

        def run() -> None:
            found: set[Key] = set()
            for early, api, kind in lists:
                try:
                    error = self.served_error(api, kind)
                    if error is None:
                        early.value = self._list_now(api, kind, None, text)
                        found.update(key_of(o) for o in early.value)
                    else:
                        early.error = NotServedError(error)
                except Exception as exc:  # the caller asks again
                    early.error = exc
                finally:
                    early.done.set()
            for early, w in gets:
                try:
                    if w.key in found:
                        early.error = LookupError("listed")
                    else:
                        early.value = self.source.get(
                            w.api_version, w.kind, w.name, w.namespace or None
                        )
                except Exception as exc:
                    early.error = exc
                finally:
                    early.done.set()
            if custom is not None:
                for api, kind in kinds:
                    self._crd_ahead(api, kind, custom)

        threading.Thread(target=run, name="fluxops-prefetch", daemon=True).start()

    def _crd_ahead(self, api_version: str, kind: str, custom: Callable[[str, str], bool]) -> None:
        """The CRD of a custom kind, for `get()` (nothing when it cannot be read here)."""
        from fluxops.cluster.client import ClusterClient

        if not isinstance(self.source, ClusterClient):
            return
        try:
            if not custom(api_version, kind):
                return
            res = self.source.resource(api_version, kind)
            name = f"{res.plural}.{res.group}"
            early = Early()
            with self._early_lock:
                self._early[("get", CRD_API_VERSION, "CustomResourceDefinition", "", name)] = early
            try:
                early.value = self.source.get(CRD_API_VERSION, "CustomResourceDefinition", name)
            except Exception as exc:
                early.error = exc
            finally:
                early.done.set()
        except Exception:
            return

    def _taken(self, key: tuple[str, ...]) -> tuple[bool, Any]:
        """(True, the answer) when `key` was asked ahead of time and answered."""
        with self._early_lock:
            early = self._early.pop(key, None)
        if early is None:
            return False, None
        early.done.wait(2 * float(getattr(self.source, "timeout", 10.0)) + 1)
        if not early.done.is_set() or early.error is not None:
            return False, None
        return True, early.value
