"""Create Flux objects with a controller's status on the test API server.

There is no controller: each object is created without status, its spec is touched until its
`metadata.generation` is what the builder asked for, and `status` is written through the status
subresource (a merge patch on `/status`), as a controller would. Events are created as core/v1
Events. The shapes come from `tests/unit/status/objects.py`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

Obj = dict[str, Any]


def ensure_namespaces(client: Any, names: Iterable[str]) -> None:
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.core_v1 import Namespace

    for name in names:
        client.apply(Namespace(metadata=ObjectMeta(name=name)))


def _register(client: Any) -> None:
    from lightkube.generic_resource import load_in_cluster_generic_resources

    load_in_cluster_generic_resources(client)


def create_with_status(client: Any, objects: list[Obj], workers: int = 8) -> None:
    """Create each object, bump its generation to the wanted one, then write its status."""
    from lightkube import codecs
    from lightkube.types import PatchType

    _register(client)

    def one(obj: Obj) -> None:
        meta = obj["metadata"]
        wanted_generation = int(meta.get("generation") or 1)
        body = copy.deepcopy(obj)
        status = body.pop("status", None)
        body["metadata"] = {
            k: v for k, v in meta.items() if k in ("name", "namespace", "labels", "annotations")
        }
        res = codecs.from_dict(body)
        kind = type(res)
        client.create(res)
        for i in range(1, wanted_generation):  # each spec change adds a generation
            client.patch(
                kind,
                meta["name"],
                {
                    "metadata": {"annotations": {"fluxops.test/touch": str(i)}},
                    "spec": {"interval": f"{10 + i}m"},
                },
                namespace=meta["namespace"],
                patch_type=PatchType.MERGE,
            )
        if status:
            client.patch(
                kind.Status,
                meta["name"],
                {"status": status},
                namespace=meta["namespace"],
                patch_type=PatchType.MERGE,
            )

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, objects))


def create_events(client: Any, events: list[Obj]) -> None:
    from lightkube import codecs

    for ev in events:
        client.create(codecs.from_dict(copy.deepcopy(ev)))
