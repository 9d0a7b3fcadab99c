"""Which Flux release each cluster installs, as far as the repository tells.

Evidence, in this order, for each cluster entry:

1. the FluxInstance (or flux-instance chart values) the entry comes from:
   `spec.distribution.version` (an exact version, `2.5.x`, `2.x`, `>=2.5`; a range means the
   newest release it allows). A tag on `spec.distribution.artifact` caps that: a Flux tag
   (`:v2.6.2`) is the release; an operator manifests tag (`flux-operator-manifests:v0.40.0`)
   holds the Flux releases that operator version shipped (`OPERATOR_SHIPS`, from the operator's
   release notes: the first operator release that included each Flux minor);
2. `gotk-components.yaml` next to the entry's `gotk-sync.yaml` (or under the cluster folder):
   its header `# Flux Version: v2.x.y`;
3. a HelmRelease of the community `flux2` chart with a pinned version under the cluster folder.
   Assumption: the chart's minor version is Flux's minor plus 10 (chart 2.12.x ships Flux
   2.2.x; chart 2.16.x ships Flux 2.6.x), as the fluxcd-community chart has numbered them
   since Flux 2.0;
4. when the repository holds exactly one release in evidence that no other cluster claims
   (not under another entry's folder), it applies to every cluster.

Unknown: the newest release fluxops knows (`LATEST`). The version decides behaviour defaults:
strict postBuild substitution from Flux 2.9 (kustomize-controller v1.9) on. `--flux-version`
overrides all of this.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any

from fluxops.loader.repo import Repo
from fluxops.model.resource import Resource

#: The newest Flux release fluxops knows (its packaged CRDs are from this release).
LATEST = (2, 9, 5)
#: kustomize-controller v1.9 (Flux 2.9) made strict postBuild substitution the default.
STRICT_SUBSTITUTE_FROM = (2, 9)
#: fluxcd-community flux2 chart: chart minor = Flux minor + CHART_MINOR_OFFSET.
CHART_MINOR_OFFSET = 10

_HEADER = re.compile(r"^#\s*Flux Version:\s*v?(\d+)\.(\d+)(?:\.(\d+))?", re.MULTILINE)
_NUMBERS = re.compile(r"(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?")
_TAG = re.compile(r":v?(2)\.(\d+)\.(\d+)$")
_OPERATOR_TAG = re.compile(r"flux-operator-manifests:v?0\.(\d+)(?:\.\d+)?$")
#: (first flux-operator 0.x minor that shipped it, Flux minor), newest first. Between two rows
#: the older Flux minor is assumed (a later operator may ship a newer one fluxops does not know).
OPERATOR_SHIPS = ((53, (2, 9)), (30, (2, 7)), (21, (2, 6)), (16, (2, 5)))


@dataclass(frozen=True)
class FluxVersion:
    """A Flux release (major, minor, patch; patch -1 when unknown) and why it was assumed."""

    release: tuple[int, int, int]
    reason: str
    detected: bool = True

    @property
    def text(self) -> str:
        major, minor, patch = self.release
        return f"v{major}.{minor}" + (f".{patch}" if patch >= 0 else ".x")

    @property
    def strict_substitute(self) -> bool:
        """kustomize-controller fails a build on a missing variable from v1.9 (Flux 2.9) on."""
        return self.release[:2] >= STRICT_SUBSTITUTE_FROM

    def note(self, cluster: str, *, substitution: bool = True) -> str:
        """What was assumed for `cluster` and why; `substitution`: also say what it means for
        postBuild substitution (not when a flag decided that)."""
        where = (
            cluster
            if cluster.startswith("clusters ")
            else (f"cluster {cluster}" if cluster else "the repository")
        )
        mode = "strict" if self.strict_substitute else "not strict (before Flux 2.9)"
        effect = f"; postBuild substitution {mode}" if substitution else ""
        return (
            f"{where}: assuming Flux {self.text} ({self.reason}){effect}; override with "
            "--flux-version"
        )


def latest(
    reason: str = "nothing in the repository says which Flux it runs; the newest fluxops knows",
) -> FluxVersion:
    return FluxVersion(LATEST, reason, detected=False)


def parse_version(text: str, reason: str) -> FluxVersion | None:
    """`2.5.1`, `v2.5`, `2.5.x` (that minor), `2.x`, `*`, `>=2.5`, `^2.3` (the newest
    release allowed: LATEST when it satisfies the range)."""
    value = text.strip()
    if not value:
        return None
    if value in ("*", "x", "latest") or value.startswith((">", "^")):
        floor = _NUMBERS.search(value)
        if floor is not None and (int(floor.group(1)), int(floor.group(2) or 0)) > LATEST[:2]:
            return None
        return FluxVersion(LATEST, f"{reason} '{value}' allows the newest release")
    found = _NUMBERS.search(value.lstrip("v=~ "))
    if found is None:
        return None
    major = int(found.group(1))
    minor_text, patch_text = found.group(2), found.group(3)
    if minor_text is None or not minor_text.isdigit():
        if major == LATEST[0]:
            return FluxVersion(LATEST, f"{reason} '{value}' allows the newest release")
        return None
    minor = int(minor_text)
    patch = int(patch_text) if patch_text is not None and patch_text.isdigit() else -1
    if value.startswith("~") or patch < 0:
        if (major, minor) == LATEST[:2]:
            return FluxVersion(LATEST, f"{reason} '{value}'")
        return FluxVersion((major, minor, -1), f"{reason} '{value}'")
    return FluxVersion((major, minor, patch), f"{reason} '{value}'")


def from_header(text: str, file: str) -> FluxVersion | None:
    found = _HEADER.search(text[:4096])
    if found is None:
        return None
    patch = int(found.group(3)) if found.group(3) else -1
    return FluxVersion((int(found.group(1)), int(found.group(2)), patch), f"header of {file}")


def _instance_spec(resource: Resource) -> dict[str, Any] | None:
    if resource.kind == "FluxInstance":
        return resource.spec
    if resource.kind == "HelmRelease":
        values = resource.spec.get("values")
        instance = values.get("instance") if isinstance(values, dict) else None
        return instance if isinstance(instance, dict) else None
    return None


def from_instance(resource: Resource) -> FluxVersion | None:
    """A FluxInstance's (or the flux-instance chart's) `distribution`."""
    spec = _instance_spec(resource)
    dist = spec.get("distribution") if spec is not None else None
    if not isinstance(dist, dict):
        return None
    file = resource.origin.file if resource.origin else resource.name
    found: FluxVersion | None = None
    version = dist.get("version")
    if isinstance(version, str | int | float):
        found = parse_version(str(version), f"{resource.kind} in {file}: distribution.version")
    artifact = dist.get("artifact")
    cap = (
        _artifact_cap(artifact.strip(), f"{resource.kind} in {file}")
        if isinstance(artifact, str)
        else None
    )
    if cap is not None and (found is None or found.release[:2] > cap.release[:2]):
        return cap
    return found


def _artifact_cap(artifact: str, where: str) -> FluxVersion | None:
    """The newest Flux a pinned distribution artifact can install."""
    tag = _TAG.search(artifact)
    if tag is not None:
        return FluxVersion(
            (int(tag.group(1)), int(tag.group(2)), int(tag.group(3))),
            f"{where}: distribution.artifact tag",
        )
    operator = _OPERATOR_TAG.search(artifact)
    if operator is None:
        return None
    minor = int(operator.group(1))
    for first, flux in OPERATOR_SHIPS:
        if minor >= first:
            return FluxVersion(
                (*flux, -1),
                f"{where}: distribution.artifact pins flux-operator-manifests v0.{minor}, "
                f"which ships Flux {flux[0]}.{flux[1]} (the operator's release notes)",
            )
    return FluxVersion(
        (2, 4, -1),
        f"{where}: distribution.artifact pins flux-operator-manifests v0.{minor}, older than "
        "Flux 2.5",
    )


def from_chart(resource: Resource) -> FluxVersion | None:
    """A HelmRelease of the community flux2 chart, version pinned."""
    if resource.kind != "HelmRelease":
        return None
    chart = resource.spec.get("chart")
    spec = chart.get("spec") if isinstance(chart, dict) else None
    if not isinstance(spec, dict) or spec.get("chart") != "flux2":
        return None
    version = spec.get("version")
    found = _NUMBERS.search(str(version or "").lstrip("v=~ "))
    if found is None or not str(found.group(2) or "").isdigit():
        return None
    chart_major, chart_minor = int(found.group(1)), int(str(found.group(2)))
    if chart_major != 2 or chart_minor < CHART_MINOR_OFFSET:
        return None
    file = resource.origin.file if resource.origin else resource.name
    return FluxVersion(
        (2, chart_minor - CHART_MINOR_OFFSET, -1),
        f"flux2 chart {version} in {file} (chart minor = Flux minor + {CHART_MINOR_OFFSET})",
    )


def _under(file: str, folder: str) -> bool:
    """`file` is inside `folder`, also when `folder` is relative to a source subfolder
    (`clusters/prod` matches `kubernetes/clusters/prod/...`)."""
    if not folder:
        return False
    return file.startswith(folder + "/") or f"/{folder}/" in f"/{file}"


class VersionDetector:
    """Flux versions per cluster entry of one repository. `entries`: (cluster folder, entry
    file) of every cluster entry; evidence inside one of them is that cluster's alone."""

    def __init__(self, repo: Repo, entries: list[tuple[str, str]] | None = None) -> None:
        self.repo = repo
        self.entries = list(entries or [])
        self._evidence: list[tuple[str, FluxVersion]] = []
        for rel in repo.yaml_files:
            if posixpath.basename(rel) == "gotk-components.yaml":
                text = _read(repo, rel)
                found = from_header(text, rel) if text else None
                if found is not None:
                    self._evidence.append((rel, found))
        for resource in repo.lookups():
            found = from_instance(resource) or from_chart(resource)
            if found is not None and resource.origin is not None:
                self._evidence.append((resource.origin.file, found))

    def for_entry(self, cluster: str, entry_file: str) -> FluxVersion:
        """The version the cluster entry `cluster` (defined in `entry_file`) installs."""
        for file, found in self._evidence:
            if file == entry_file:
                return found
        sibling = posixpath.join(posixpath.dirname(entry_file), "gotk-components.yaml")
        for file, found in self._evidence:
            if file == sibling:
                return found
        inside = [found for file, found in self._evidence if _under(file, cluster)]
        if inside:
            return inside[0]
        return self.repo_wide()

    def _claimed(self, file: str) -> bool:
        """Evidence that belongs to one cluster entry (its folder, its entry file's folder)."""
        return any(
            file == entry_file
            or _under(file, cluster)
            or posixpath.dirname(file) == posixpath.dirname(entry_file)
            for cluster, entry_file in self.entries
        )

    def repo_wide(self) -> FluxVersion:
        """The version when the evidence no cluster claims names one release; else the
        newest."""
        free = [(file, found) for file, found in self._evidence if not self._claimed(file)]
        releases = {found.release for _, found in free}
        if len(releases) == 1:
            return free[0][1]
        if releases:
            return latest(
                f"{len(releases)} different Flux versions in the repository and none tied to "
                "this cluster; assuming the newest fluxops knows"
            )
        return latest()


def _read(repo: Repo, rel: str) -> str:
    from fluxops.loader.repo import text_reader

    try:
        return text_reader(repo.root)(rel) or ""
    except (OSError, UnicodeDecodeError):
        return ""
