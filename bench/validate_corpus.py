"""Benchmark `fluxops validate` against `kubernetes_validate.validate()` in the same run.

Renders the largest fixture repo once (not timed), then measures validation only:
  - fluxops, cold: empty compiled-validator cache (fastjsonschema code generation + compile);
  - fluxops, warm: the cache on disk filled, a fresh catalog and validator per run (what a second
    `fluxops validate` does);
  - fluxops and kubernetes_validate.validate() on the built-in kinds only (the documents
    kubernetes-validate can check), document by document: the ratio is the speed-up.
Prints documents per second and the ratio. Never gates anything on wall time.

Usage: .venv/bin/python bench/validate_corpus.py [REPO] [--repeat N]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT.parent / "shared" / "fixtures" / "repos"


def largest_repo() -> Path:
    repos = [p for p in FIXTURES.iterdir() if p.is_dir()]
    return max(repos, key=lambda p: sum(1 for _ in p.rglob("*.yaml")))  # most manifests


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("repo", nargs="?", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.repo is None and not FIXTURES.is_dir():
        print(f"no fixture repos at {FIXTURES}; pass a repo path", file=sys.stderr)
        return 2
    repo = args.repo or largest_repo()

    import kubernetes_validate

    from fluxops import api
    from fluxops.loader.repo import load_repo
    from fluxops.validate.build_objects import validate_build
    from fluxops.validate.builtin import BuiltinSchemas, resolve_kube_version
    from fluxops.validate.catalog import SchemaCatalog, SchemaEntry
    from fluxops.validate.validator import ValidateOptions, Validator, _Item

    version = resolve_kube_version(None)
    result = api.build(api.BuildRequest(path=str(repo), all_=True))
    repo_resources = load_repo(repo).resources
    docs = [o for b in result.builds for o in b.objects]
    print(f"repo {repo.name}: {len(docs)} rendered documents, Kubernetes {version}")

    def run(cache_dir: Path) -> float:
        catalog = SchemaCatalog(BuiltinSchemas(version, strict=True), strict=True)
        options = ValidateOptions(kube_version=version, strict=True, cache_dir=cache_dir)
        started = time.perf_counter()
        validate_build(result, repo_resources, catalog, options, lambda rel: None)
        return time.perf_counter() - started

    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        cold = run(cache)
        warm = [run(cache) for _ in range(args.repeat)]
        best = min(warm)
        print(
            f"fluxops validate (all kinds, strict, CEL): cold cache {cold:.2f} s "
            f"({len(docs) / cold:,.0f} docs/s); warm cache median {statistics.median(warm):.3f} s, "
            f"best {best:.3f} s ({len(docs) / best:,.0f} docs/s)"
        )

        # Built-in kinds only, document by document, both tools.
        catalog = SchemaCatalog(BuiltinSchemas(version, strict=True), strict=True)
        validator = Validator(
            catalog,
            ValidateOptions(kube_version=version, strict=True, cache_dir=cache),
            lambda rel: None,
        )
        builtin = []
        for d in docs:
            entry = catalog.lookup(d.api_version, d.kind)
            if isinstance(entry, SchemaEntry) and entry.source.startswith("Kubernetes"):
                builtin.append(d)
        items = [_Item(d, None, "") for d in builtin]
        for item in items:  # warm: compiled validators loaded once
            validator.validate(item)
        ours = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            for item in items:
                validator.validate(item)
            ours.append((time.perf_counter() - started) / len(items))
        theirs = []
        for _ in range(max(1, args.repeat // 2)):
            started = time.perf_counter()
            for d in builtin:
                with contextlib.suppress(Exception):  # invalid documents raise; time them too
                    kubernetes_validate.validate(d.raw, version, strict=True)
            theirs.append((time.perf_counter() - started) / len(builtin))
        a, b = statistics.median(ours), statistics.median(theirs)
        print(
            f"built-in kinds ({len(builtin)} docs): fluxops {a * 1e3:.3f} ms/doc "
            f"({1 / a:,.0f} docs/s); kubernetes_validate.validate() {b * 1e3:.2f} ms/doc "
            f"({1 / b:,.0f} docs/s); ratio {b / a:.0f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
