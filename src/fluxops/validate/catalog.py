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
from fluxops.validate.defaults import has_defaults
from fluxops.validate.sources import SchemaLocations

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
    #: The openAPIV3Schema whose defaults the API server applies first (None: no defaults).
    defaults: dict[str, Any] | None = None
    #: A built-in kind of the chosen Kubernetes version (Go-coded checks apply).
    builtin: bool = False
    #: A JSON schema from --schema-location, used as it is.
    located: bool = False
    #: Why the API server would refuse the CRD itself (bad keyword values, patterns).
    problems: list[str] = field(default_factory=list)
    #: The repository file that defines the CRD, when it is one.
    file: str | None = None


@dataclass
class SchemaMiss:
    """No schema: `reason` says what is known about the kind; `known_versions`, when any, are
    the versions of the kind that are served (the object's own is not)."""

    reason: str
    known_versions: list[str] = field(default_factory=list)


class SchemaCatalog:
    def __init__(
        self, builtin: BuiltinSchemas, *, strict: bool, flux: bool = True, bundled: bool = True
    ) -> None:
        self.builtin = builtin
        self.strict = strict
        self.flux_release = ""
        self._crds: dict[tuple[str, str], dict[str, CrdVersion]] = {}
        #: CRDs a cluster's Kustomizations render: they validate only that cluster's objects.
        self._cluster_crds: dict[str, dict[tuple[str, str], dict[str, CrdVersion]]] = {}
        self._flux: dict[tuple[str, str], dict[str, CrdVersion]] = {}
        #: CRDs from `--crds` and from the cluster (`--crds-from-cluster`), after the repo's
        self._user: dict[tuple[str, str], dict[str, CrdVersion]] = {}
        self._cluster: dict[tuple[str, str], dict[str, CrdVersion]] = {}
        self.locations: SchemaLocations | None = None
        self._bundled: dict[tuple[str, str], dict[str, CrdVersion]] = {}
        self._bundled_groups: set[str] = set()
        self.use_bundled = bundled
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

    def add_crd(
        self, raw: dict[str, Any], where: str, origin: str = "repo", scope: str | None = None
    ) -> int:
        """Register a CRD document found in the repo (`origin` "repo"), given with --crds
        ("crds") or read from the cluster ("cluster"); returns how many versions it added.
        `scope`: the cluster whose Kustomizations render it (a CRD rendered by one cluster
        never validates another cluster's objects)."""
        pool = {"repo": self._crds, "crds": self._user, "cluster": self._cluster}[origin]
        if scope is not None and origin == "repo":
            pool = self._cluster_crds.setdefault(scope, {})
        label = {"repo": "CRD in", "crds": "--crds", "cluster": "CRD from"}[origin]
        added = 0
        for version in crd_versions(raw, f"{label} {where}" if where else "CRD"):
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
        pools = [self._crds, self._user, self._cluster, *self._cluster_crds.values()]
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

    def _load_bundled(self, group: str) -> None:
        if not self.use_bundled or group in self._bundled_groups:
            return
        from fluxops.validate.bundled import group_versions

        self._bundled_groups.add(group)
        for v in group_versions(group):
            self._bundled.setdefault((v.group, v.kind), {})[v.version] = v

    def _pools(
        self, own: dict[tuple[str, str], dict[str, CrdVersion]] | None = None
    ) -> tuple[dict[tuple[str, str], dict[str, CrdVersion]], ...]:
        """CRD sources in order: the object's cluster's (`own`), the repo's, --crds, the
        cluster's, the Flux CRDs, the catalog (the schema locations come between the cluster's
        CRDs and the Flux CRDs)."""
        return (own or {}, self._crds, self._user, self._cluster, self._flux, self._bundled)

    def sources_tried(self) -> list[str]:
        """The schema sources of this run, in the order they are asked."""
        tried = ["CRDs in the repository"]
        if self._user:
            tried.append("--crds")
        if self._cluster:
            tried.append("the cluster's CRDs")
        if self.locations is not None:
            tried.append("--schema-location")
        if self._flux:
            tried.append(f"the Flux {self.flux_release} CRDs")
        if self.use_bundled:
            tried.append("the bundled catalog")
        tried.append(f"Kubernetes {self.builtin.kube_version}")
        return tried

    def _resolve(
        self,
        api_version: str,
        kind: str,
        own: dict[tuple[str, str], dict[str, CrdVersion]],
    ) -> SchemaEntry | SchemaMiss:
        group, version = split_api_version(api_version)
        if group and "." in group:
            self._load_bundled(group)
        for pool in self._pools(own):
            if pool is self._flux and self.locations is not None:
                located = self.locations.lookup(api_version, kind)
                if located is not None:
                    body, where = located
                    return SchemaEntry(
                        api_version, kind, where, body, schema_digest(body), located=True
                    )
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
                builtin=True,
            )
        known = sorted(
            {
                f"{group}/{v}"
                for pool in self._pools(own)
                for v, crd in pool.get((group, kind), {}).items()
                if crd.served
            }
        )
        if known:
            if any((group, kind) in pool for pool in (own, self._crds, self._user, self._cluster)):
                where = "its CRD"
            elif (group, kind) in self._flux:
                where = f"the Flux {self.flux_release} CRDs"
            else:
                where = next(iter(self._bundled[(group, kind)].values())).source
                where = f"the bundled CRD ({where})"
            return SchemaMiss(
                f"{kind} {api_version} is not served by {where}, which serve " + ", ".join(known),
                known,
            )
        served = self.builtin.api_versions(group, kind)
        if served:
            return SchemaMiss(
                f"{kind} {api_version} is not served by Kubernetes {self.builtin.kube_version}, "
                "which serves " + ", ".join(served),
                served,
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
            defaults=crd.schema if has_defaults(crd.schema) else None,
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
