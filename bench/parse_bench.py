"""YAML parsers on kustomize's output: speed, and whether they read it as Go does.

    python bench/parse_bench.py [REPO ...] [--repeat 3]

The corpus: the kustomize output of every Kustomization of the repos (default: the shared
fixture repos and a generated 500-app repo), taken from a build cache that a first
`fluxops build --all` fills. Each parser reads every stream; the table gives its time (best of
`--repeat`), its speed against the reader fluxops uses (fluxops.goyaml: PyYAML's libyaml
loader with go-yaml's scalar rules), and how many documents it reads differently from that
reader (a different value is a different object for Flux: a parser that differs is out).
Candidates that are not installed are listed as such. Not a test.
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen_large_repo import generate  # noqa: E402

from fluxops import goyaml  # noqa: E402
from fluxops.render.postbuild import split_documents  # noqa: E402

FIXTURES = HERE.parent.parent / "shared" / "fixtures" / "repos"
Parser = Callable[[str], list[Any]]


def corpus(repos: list[Path], cache: Path) -> list[str]:
    env = dict(os.environ, FLUXOPS_CACHE_DIR=str(cache))
    for repo in repos:
        subprocess.run(
            [sys.executable, "-m", "fluxops", "build", str(repo), "--all", "-o", "json"],
            env=env,
            capture_output=True,
            check=False,
        )
    return [p.read_text(encoding="utf-8") for p in sorted(cache.rglob("*.yaml"))]


def goyaml_reader(stream: str) -> list[Any]:
    """What post_build does: split the stream, decode each document as Go does."""
    return [goyaml.load(doc) for doc in split_documents(stream)]


def pyyaml_c(stream: str) -> list[Any]:
    return [d for d in yaml.load_all(stream, Loader=yaml.CSafeLoader) if d is not None]


def pyyaml_pure(stream: str) -> list[Any]:
    return [d for d in yaml.load_all(stream, Loader=yaml.SafeLoader) if d is not None]


def candidates() -> list[tuple[str, Parser | str]]:
    out: list[tuple[str, Parser | str]] = [
        ("fluxops.goyaml (PyYAML C + Go rules)", goyaml_reader),
        ("PyYAML CSafeLoader", pyyaml_c),
        ("PyYAML SafeLoader (pure)", pyyaml_pure),
    ]
    try:
        yaml_rs: Any = importlib.import_module("yaml_rs")

        def rs(stream: str) -> list[Any]:
            value = yaml_rs.loads(stream, parse_datetime=False)
            docs = value if isinstance(value, list) and stream.count("\n---\n") else [value]
            return [d for d in docs if d is not None]

        out.append(("yaml-rs (Rust)", rs))
    except ImportError:
        out.append(("yaml-rs (Rust)", "not installed"))
    try:
        ryml: Any = importlib.import_module("ryml")

        def rapid(stream: str) -> list[Any]:
            tree = ryml.parse_in_arena(stream.encode())
            return [tree.size()]  # a tree of nodes: Python objects would cost a walk more

        out.append(("rapidyaml (C++, parse only)", rapid))
    except ImportError:
        out.append(("rapidyaml (C++, parse only)", "not installed"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("repos", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repos = list(args.repos)
        if not repos:
            repos = (
                [p for p in sorted(FIXTURES.iterdir()) if p.is_dir()] if FIXTURES.is_dir() else []
            )
            repos.append(generate(Path(tmp) / "large", 500))
        streams = corpus(repos, Path(tmp) / "cache")
    size = sum(len(s) for s in streams)
    reference = [goyaml_reader(s) for s in streams]
    docs = sum(len(r) for r in reference)
    print(f"{len(streams)} kustomize outputs, {docs} documents, {size / 1e6:.1f} MB")
    base = 0.0
    for name, parse in candidates():
        if isinstance(parse, str):
            print(f"{name:40s} {parse}")
            continue
        best = float("inf")
        results: list[list[Any]] = []
        for _ in range(args.repeat):
            start = time.process_time()
            try:
                results = [parse(s) for s in streams]
            except Exception as exc:  # a parser that refuses the corpus
                print(f"{name:40s} fails: {type(exc).__name__}: {str(exc)[:80]}")
                break
            best = min(best, time.process_time() - start)
        else:
            base = base or best
            differ = (
                "n/a (no Python values)"
                if "parse only" in name
                else str(
                    sum(
                        sum(1 for a, b in zip(got, want, strict=False) if a != b)
                        + abs(len(got) - len(want))
                        for got, want in zip(results, reference, strict=True)
                    )
                )
            )
            print(
                f"{name:40s} {best:7.3f}s cpu  {base / best:5.2f}x the speed of fluxops.goyaml  "
                f"documents read differently: {differ}"
            )


if __name__ == "__main__":
    main()
