"""The sandbox's engine threads: up to N threads, each prepared once (`initializer`: Landlock
restricts the thread itself and the processes it starts), that run calls one at a time.

What `concurrent.futures.ThreadPoolExecutor` offers the sandbox, without importing it (and
`logging` with it): a short `drift --ks` pays for every module it imports before kustomize
starts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from queue import Empty, SimpleQueue
from typing import Any, TypeVar

from fluxops.errors import InternalError

T = TypeVar("T")


class PoolClosed(InternalError):
    """The pool was shut down before the call could run (the sandbox answers "stopped")."""


class _Call:
    def __init__(self, func: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.func = func
        self.args = args
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class EnginePool:
    """Threads named `name-N`, started as calls need them (at most `workers`), each running
    `initializer` first."""

    def __init__(self, workers: int, name: str, initializer: Callable[[], None]) -> None:
        self._max = max(1, workers)
        self._name = name
        self._initializer = initializer
        self._calls: SimpleQueue[_Call | None] = SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._lock = threading.Lock()
        self._closed = False

    def call(self, func: Callable[..., T], *args: Any) -> T:
        """Run `func(*args)` on an engine thread and return what it returns (or raise what
        it raised); PoolClosed when the pool is shut down first."""
        job = _Call(func, args)
        with self._lock:
            if self._closed:
                raise PoolClosed("the engine pool is shut down")
            self._calls.put(job)
            if self._idle == 0 and len(self._threads) < self._max:
                thread = threading.Thread(
                    target=self._work, name=f"{self._name}-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
            else:
                self._idle -= 1
        job.done.wait()
        if job.error is not None:
            raise job.error
        return job.value  # type: ignore[no-any-return]

    def _work(self) -> None:
        self._initializer()
        while True:
            job = self._calls.get()
            if job is None:
                return
            try:
                job.value = job.func(*job.args)
            except BaseException as exc:  # handed to the caller
                job.error = exc
            finally:
                job.done.set()
            with self._lock:
                self._idle += 1

    def shutdown(self) -> None:
        """Refuse new calls, fail the ones not started (PoolClosed), let the running ones
        end and wait for every thread."""
        with self._lock:
            self._closed = True
            threads = list(self._threads)
        while True:
            try:
                job = self._calls.get_nowait()
            except Empty:
                break
            if job is not None:
                job.error = PoolClosed("the engine pool is shut down")
                job.done.set()
        for _ in threads:
            self._calls.put(None)
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join()
