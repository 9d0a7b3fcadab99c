"""Schema sources the user names: `--crds PATH` (files or folders of CRD manifests),
`--crds-from-cluster` (the CRDs of a live cluster, or of a `--snapshot` file), `--schema-location`
(kubeconform's template syntax: a folder, or a URL fetched once into the cache, so a pre-filled
cache works air-gapped) and `--skip-kinds`.

Only a URL the user passed reaches the network; only files and folders the user passed are read.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fluxops.errors import UsageError
from fluxops.model.identity import split_api_version
from fluxops.validate.crds import is_crd

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_FETCH_BYTES = 32 * 1024 * 1024
FETCH_TIMEOUT = 20.0
_VAR = re.compile(r"\{\{\s*\.(\w+)\s*\}\}")
#: The layout of the community CRD catalogs kubeconform users point at.
DEFAULT_TEMPLATE = "{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"

Crd = tuple[dict[str, Any], str]


def crds_from_paths(paths: Iterable[str]) -> list[Crd]:
    """Every CRD document in the files (YAML or JSON) and folders (searched recursively) of
    `paths`, with the file it came from."""
    from fluxops.loader.yamlio import YamlParseError, load_documents

    out: list[Crd] = []
    for given in paths:
        root = Path(given)
        if not root.exists():
            raise UsageError(f"--crds: {given} does not exist")
        files = (
            sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
            if root.is_dir()
            else [root]
        )
        for file in files:
            if not file.is_file() or file.stat().st_size > MAX_FILE_BYTES:
                continue
            try:
                text = file.read_text(encoding="utf-8")
                documents = [d.value for d in load_documents(text)]
            except (OSError, UnicodeDecodeError, YamlParseError) as exc:
                raise UsageError(f"--crds: cannot read {file}: {exc}") from None
            for doc in _flatten(documents):
                if is_crd(doc):
                    out.append((doc, str(file)))
    return out


def _flatten(values: Iterable[Any]) -> Iterator[dict[str, Any]]:
    for value in values:
        if isinstance(value, dict) and isinstance(value.get("items"), list):
            yield from _flatten(value["items"])
        elif isinstance(value, dict):
            yield value


def crds_from_cluster(
    snapshot: str | None, kubeconfig: str | None, context: str | None, timeout: float
) -> tuple[list[Crd], str]:
    """The cluster's CRDs, from a snapshot file or live (read only): (CRDs, where)."""
    if snapshot:
        from fluxops.cluster.snapshot import load_snapshot

        snap = load_snapshot(snapshot)
        where = f"snapshot {snapshot}"
        return [(o, where) for o in snap.objects if is_crd(o)], where
    from fluxops.cluster.client import connect

    with connect(kubeconfig, context, timeout=timeout) as client:
        where = f"cluster {client.context or client.server}"
        items = client.list("apiextensions.k8s.io/v1", "CustomResourceDefinition")
        return [(o, where) for o in items], where


#: What the API server accepts as a group (a DNS subdomain), a version and a kind: the only
#: values a repository's object may put into a schema location's path or URL.
_GROUP = re.compile(
    r"^(?:[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)*$"
)
_VERSION = re.compile(r"^[a-z0-9]{1,63}$")
_KIND = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,62}$")


def _template_values(
    api_version: str, kind: str, kube_version: str, strict: bool
) -> dict[str, str] | None:
    """The template's variables for one object; None when its apiVersion or kind is not a
    name the API server would accept (so that no `../` or `?` from a repository's file
    reaches a path or a URL)."""
    group, version = split_api_version(api_version)
    if (group and not _GROUP.match(group)) or not _VERSION.match(version) or not _KIND.match(kind):
        return None
    suffix = f"-{group.split('.')[0]}-{version}" if group else f"-{version}"
    return {
        "Group": group,
        "ResourceKind": kind.lower(),
        "ResourceAPIVersion": version,
        "NormalizedKubernetesVersion": f"v{kube_version}.0" if kube_version else "master",
        "StrictSuffix": "-strict" if strict else "",
        "KindSuffix": suffix,
    }


def expand(template: str, values: dict[str, str]) -> str:
    """kubeconform's template: `{{ .Group }}`, `{{.ResourceKind}}` (lowercase kind),
    `{{.ResourceAPIVersion}}` (the version), `{{.KindSuffix}}`, `{{.StrictSuffix}}`,
    `{{.NormalizedKubernetesVersion}}`; an unknown variable is a usage error."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise UsageError(
                f"--schema-location {template!r}: unknown variable .{name}",
                hint="use .Group, .ResourceKind, .ResourceAPIVersion, .KindSuffix, "
                ".StrictSuffix or .NormalizedKubernetesVersion",
            )
        return values[name]

    return _VAR.sub(one, template)


@dataclass
class SchemaLocations:
    """JSON schemas looked up by template, in the order given."""

    templates: list[str]
    kube_version: str
    strict: bool
    cache_dir: Path | None
    #: problems met (an unreachable URL, a schema that is not JSON), one line each
    problems: list[str] = field(default_factory=list)
    _memo: dict[str, dict[str, Any] | None] = field(default_factory=dict)

    def lookup(self, api_version: str, kind: str) -> tuple[dict[str, Any], str] | None:
        values = _template_values(api_version, kind, self.kube_version, self.strict)
        if values is None:
            return None
        for template in self.templates:
            if "{{" not in template:
                template = template.rstrip("/") + "/" + DEFAULT_TEMPLATE
            where = expand(template, values)
            schema = self._read(where)
            if schema is not None:
                return schema, f"schema location {where}"
        return None

    def _read(self, where: str) -> dict[str, Any] | None:
        if where not in self._memo:
            remote = where.startswith(("https://", "http://"))
            text = self._fetch(where) if remote else self._file(where)
            schema: Any = None
            if text:
                try:
                    schema = json.loads(text)
                except json.JSONDecodeError as exc:
                    self.problems.append(f"{where} is not JSON: {exc.msg}")
            self._memo[where] = schema if isinstance(schema, dict) else None
        return self._memo[where]

    def _file(self, where: str) -> str | None:
        path = Path(where)
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return None
        return path.read_text(encoding="utf-8")

    def _fetch(self, url: str) -> str | None:
        """The URL's body, from the cache when it was fetched before (a 404 is cached too)."""
        cached = None
        if self.cache_dir is not None:
            cached = self.cache_dir / (hashlib.sha256(url.encode()).hexdigest()[:40] + ".json")
            if cached.is_file():
                text = cached.read_text(encoding="utf-8")
                return text if text != "null" else None
        import urllib.error
        import urllib.request

        body: str | None
        try:
            with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as response:
                data = response.read(MAX_FETCH_BYTES + 1)
            if len(data) > MAX_FETCH_BYTES:
                self.problems.append(f"{url} is larger than {MAX_FETCH_BYTES} bytes")
                return None
            body = data.decode("utf-8")
        except urllib.error.HTTPError as exc:
            if exc.code != 404:
                self.problems.append(f"{url}: HTTP {exc.code}")
                return None
            body = None
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            self.problems.append(f"{url}: {exc}")
            return None
        if cached is not None:
            from fluxops.validate.compiled import _write_atomic

            _write_atomic(cached, (body if body is not None else "null").encode("utf-8"))
        return body


def skipped(skip_kinds: Iterable[str], api_version: str, kind: str) -> bool:
    """`--skip-kinds` entries: `Kind`, `group/Kind` or `apiVersion/Kind`."""
    group, _ = split_api_version(api_version)
    names = (kind, f"{group}/{kind}", f"{api_version}/{kind}")
    return any(entry in names for entry in skip_kinds)
