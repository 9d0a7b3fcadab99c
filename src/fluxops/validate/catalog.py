"""Where the schema of an (apiVersion, kind) comes from.

Order: CRDs found in the repository or in the rendered output (what the cluster will have),
then the Flux CRDs shipped with fluxops, then the built-in kinds of the chosen Kubernetes
version. A kind that some source knows, but not in the version the object is written in, is a
miss that names the versions that exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fluxops.model.identity import split_api_version
from fluxops.validate.builtin import OBJECT_META, BuiltinSchemas
from fluxops.validate.compiled import schema_digest
from fluxops.validate.convert import Extras, convert, extract_extras, schema_problems
from fluxops.validate.crds import CrdVersion, crd_versions, packaged_flux

META_REF = "#/definitions/" + OBJECT_META
NOTIFICATION_GROUP = "notification.toolkit.fluxcd.io"
#: Kinds the Flux Operator adds to the notification CRDs' `kind` enums (Alert event sources,
#: Receiver resources) when it installs Flux: accepted when the repo uses a FluxInstance.
OPERATOR_KINDS = ("FluxInstance", "ResourceSet", "ResourceSetInputProvider")


@dataclass
class SchemaEntry:
    """A usable schema for one (apiVersion, kind)."""

    api_version: str
    kind: str
    source: str
    schema: dict[str, Any]
    digest: str
    extras: Extras | None = None
    served: bool = True
    deprecated: bool = False
    deprecation_warning: str = ""
    has_rules: bool = False
    #: Why the API server would refuse the CRD itself (bad keyword values, patterns).
    problems: list[str] = field(default_factory=list)
    #: The repository file that defines the CRD, when it is one.
    file: str | None = None


@dataclass
class SchemaMiss:
    """No schema: `reason` says what is known about the kind."""

    reason: str
    known_versions: list[str] = field(default_factory=list)


class SchemaCatalog:
    def __init__(self, builtin: BuiltinSchemas, *, strict: bool, flux: bool = True) -> None:
        self.builtin = builtin
        self.strict = strict
        self.flux_release = ""
        self._crds: dict[tuple[str, str], dict[str, CrdVersion]] = {}
        #: CRDs a cluster's Kustomizations render: they validate only that cluster's objects.
        self._cluster_crds: dict[str, dict[tuple[str, str], dict[str, CrdVersion]]] = {}
        self._flux: dict[tuple[str, str], dict[str, CrdVersion]] = {}
        if flux:
            self.flux_release, versions = packaged_flux()
            for v in versions:
                self._flux.setdefault((v.group, v.kind), {})[v.version] = v
        self._entries: dict[tuple[str, str, str], SchemaEntry | SchemaMiss] = {}
        self._meta_defs: dict[str, Any] | None = None
        self.extra_notification_kinds: tuple[str, ...] = ()

    def use_flux_operator(self) -> None:
        """The Flux Operator installs Flux here: its notification CRDs accept its own kinds."""
        self.extra_notification_kinds = OPERATOR_KINDS
        for key in [k for k in self._entries if k[1].startswith(NOTIFICATION_GROUP + "/")]:
            del self._entries[key]

    # -- CRDs ----------------------------------------------------------------------------------

    def add_crd(self, raw: dict[str, Any], where: str, cluster: str | None = None) -> int:
        """Register a CRD document (for `cluster` only when given: a CRD rendered by one
        cluster's Kustomizations never validates another's objects); returns how many
        versions it added."""
        added = 0
        pool = self._crds if cluster is None else self._cluster_crds.setdefault(cluster, {})
        for version in crd_versions(raw, f"CRD in {where}" if where else "CRD"):
            slot = pool.setdefault((version.group, version.kind), {})
            if version.version not in slot:
                slot[version.version] = version
                added += 1
                for key in [
                    k for k in self._entries if k[1:] == (version.api_version, version.kind)
                ]:
                    del self._entries[key]
        return added

    @property
    def crd_count(self) -> int:
        pools = [self._crds, *self._cluster_crds.values()]
        return sum(len(v) for pool in pools for v in pool.values())

    # -- lookup --------------------------------------------------------------------------------

    def lookup(self, api_version: str, kind: str, cluster: str = "") -> SchemaEntry | SchemaMiss:
        """The schema of `kind` in `api_version` for an object of `cluster`: that cluster's
        CRDs first, then the repository's other CRDs, then the packaged Flux CRDs, then the
        built-in kinds."""
        scope = cluster if cluster in self._cluster_crds else ""
        key = (scope, api_version, kind)
        found = self._entries.get(key)
        if found is None:
            found = self._resolve(api_version, kind, self._cluster_crds.get(scope, {}))
            self._entries[key] = found
        return found

    def _resolve(
        self,
        api_version: str,
        kind: str,
        own: dict[tuple[str, str], dict[str, CrdVersion]],
    ) -> SchemaEntry | SchemaMiss:
        group, version = split_api_version(api_version)
        for pool in (own, self._crds, self._flux):
            crd = pool.get((group, kind), {}).get(version)
            if crd is not None and crd.schema is not None:
                return self._from_crd(crd)
        schema = self.builtin.lookup(api_version, kind)
        if schema is not None:
            return SchemaEntry(
                api_version=api_version,
                kind=kind,
                source=f"Kubernetes {self.builtin.kube_version}",
                schema=schema,
                digest=schema_digest(schema),
            )
        known = sorted(
            {
                f"{group}/{v}"
                for pool in (own, self._crds, self._flux)
                for v in pool.get((group, kind), {})
            }
        )
        if known:
            where = (
                f"the Flux {self.flux_release} CRDs"
                if (group, kind) in self._flux
                and (group, kind) not in self._crds
                and (group, kind) not in own
                else "its CRD"
            )
            return SchemaMiss(
                f"{kind} {api_version} is not defined by {where}, which define " + ", ".join(known),
                known,
            )
        return SchemaMiss(f"no schema for {kind} {api_version}")

    def _object_meta(self) -> dict[str, Any]:
        if self._meta_defs is None:
            self._meta_defs = self.builtin.object_meta_definitions()
        return self._meta_defs

    def _from_crd(self, crd: CrdVersion) -> SchemaEntry:
        assert crd.schema is not None
        schema = crd.schema
        if crd.group == NOTIFICATION_GROUP and self.extra_notification_kinds:
            schema = _extend_kind_enums(schema, self.extra_notification_kinds)
        body = convert(schema, strict=self.strict, object_meta_ref=META_REF)
        body["definitions"] = self._object_meta()
        body["$schema"] = "http://json-schema.org/draft-07/schema#"
        extras = extract_extras(crd.schema)
        return SchemaEntry(
            api_version=crd.api_version,
            kind=crd.kind,
            source=crd.source,
            schema=body,
            digest=schema_digest(body),
            extras=extras,
            has_rules=bool(extras and extras.all_rules()),
            problems=schema_problems(crd.schema),
            file=crd.source[len("CRD in ") :] if crd.source.startswith("CRD in ") else None,
            served=crd.served,
            deprecated=crd.deprecated,
            deprecation_warning=crd.deprecation_warning,
        )


def _extend_kind_enums(node: Any, extra: tuple[str, ...]) -> Any:
    """A copy of `node` where every property named `kind` with an `enum` also allows `extra`."""
    if isinstance(node, list):
        return [_extend_kind_enums(v, extra) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _extend_kind_enums(v, extra) for k, v in node.items()}
    props = out.get("properties")
    if isinstance(props, dict) and isinstance(props.get("kind"), dict):
        kind = dict(props["kind"])
        if isinstance(kind.get("enum"), list):
            kind["enum"] = [*kind["enum"], *(k for k in extra if k not in kind["enum"])]
            out["properties"] = {**props, "kind": kind}
    return out
