"""The Flux release each cluster of a render installs (`--flux-version`, else detected by
`loader.fluxversion`), the behaviour defaults that follow from it (strict postBuild
substitution from Flux 2.9), and the notes that say what was assumed and why."""

from __future__ import annotations

from fluxops.loader.fluxversion import FluxVersion, VersionDetector
from fluxops.loader.repo import Repo


class FluxVersions:
    """Per cluster, detected once. `flux_version`: the `--flux-version` override; `strict`:
    `--strict-substitute` / `--no-strict-substitute` (None: follow the version)."""

    def __init__(self, repo: Repo, flux_version: str | None, strict: bool | None) -> None:
        self.repo = repo
        self.flux_version = flux_version
        self.strict = strict
        self._versions: dict[str, FluxVersion] = {}
        self._detector: VersionDetector | None = None
        self._entry_files: dict[str, str] = {}

    def get(self, cluster: str) -> FluxVersion:
        base = cluster.split(" -> ", 1)[0]
        if base not in self._versions:
            self._versions[base] = self._detect(base)
        return self._versions[base]

    def _detect(self, cluster: str) -> FluxVersion:
        from fluxops.errors import UsageError
        from fluxops.loader.entries import find_entries
        from fluxops.loader.fluxversion import VersionDetector, parse_version

        if self.flux_version:
            found = parse_version(self.flux_version, "--flux-version")
            if found is None:
                raise UsageError(
                    f"--flux-version {self.flux_version!r}: expected a Flux release "
                    "such as 2.5 or v2.9.1"
                )
            return found
        if self._detector is None:
            self._entry_files = {
                e.cluster: (e.kustomization.origin.file if e.kustomization.origin else "")
                for e in find_entries(self.repo)
            }
            self._detector = VersionDetector(self.repo, list(self._entry_files.items()))
        if cluster in self._entry_files:
            return self._detector.for_entry(cluster, self._entry_files[cluster])
        return self._detector.repo_wide()

    def asked(self) -> list[str]:
        """The clusters whose version was asked for so far."""
        return list(self._versions)

    def strict_for(self, cluster: str) -> bool:
        if self.strict is not None:
            return self.strict
        return self.get(cluster).strict_substitute

    def notes(self) -> list[str]:
        """Each cluster's Flux version and the substitution mode it implies."""
        out: list[str] = []
        substitution = self.strict is None
        # clusters assumed for the same reason (nothing found) share one note
        by_reason: dict[tuple[tuple[int, int, int], str], list[str]] = {}
        for cluster, version in sorted(self._versions.items()):
            by_reason.setdefault((version.release, version.reason), []).append(cluster)
        for _cluster, version in sorted(self._versions.items()):
            together = by_reason.get((version.release, version.reason))
            if together is None:
                continue
            if len(together) > 2 and not version.detected:
                out.append(
                    version.note(f"clusters {', '.join(together)}", substitution=substitution)
                )
            else:
                out.extend(version.note(c, substitution=substitution) for c in together)
            del by_reason[(version.release, version.reason)]
        if self.strict is not None:
            mode = "strict" if self.strict else "not strict"
            out.append(
                f"postBuild substitution {mode} (--{'' if self.strict else 'no-'}strict-substitute)"
            )
        return out
