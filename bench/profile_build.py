"""Profile `fluxops build --all` in-process: where the time goes, cold or warm.

    python bench/profile_build.py REPO [--warm] [--unbatched] [--group N] [--top 25]

Cold: no cache (every Kustomization goes to kustomize); warm: a cache filled by a first run.
Prints the engine runs, the wall time, the CPU time of this process and of the engine
processes (getrusage), and the top functions of cProfile (this process only: kustomize's own
time shows as the waits of the threads that run it). Not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from fluxops.loader.repo import load_repo  # noqa: E402
from fluxops.render import batchsafe  # noqa: E402
from fluxops.render.build import Renderer  # noqa: E402
from fluxops.render.build_options import BuildOptions  # noqa: E402
from fluxops.render.select import build_all  # noqa: E402


def _build(repo_path: Path, options: BuildOptions) -> int:
    repo = load_repo(repo_path)
    with Renderer(repo, options) as renderer:
        build_all(renderer, None)
        return renderer.sandbox.runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("repo", type=Path)
    parser.add_argument("--warm", action="store_true")
    parser.add_argument("--unbatched", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--group", type=int, help="members per kustomize run at most")
    args = parser.parse_args()
    if args.group:
        batchsafe.MAX_GROUP = args.group
    with tempfile.TemporaryDirectory() as cache:
        options = BuildOptions(cache=args.warm, cache_dir=Path(cache), batch=not args.unbatched)
        if args.warm:
            _build(args.repo, options)
        before = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
        profile = cProfile.Profile()
        start = time.perf_counter()
        profile.enable()
        runs = _build(args.repo, options)
        profile.disable()
        wall = time.perf_counter() - start
        after = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    own, engine = (
        a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime
        for a, b in zip(after, before, strict=True)
    )
    print(
        f"{args.repo.name}: {'warm' if args.warm else 'cold'}, "
        f"{'unbatched' if args.unbatched else 'batched'}: {runs} engine runs, wall {wall:.2f}s, "
        f"cpu: fluxops {own:.2f}s, engine {engine:.2f}s"
    )
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats(args.sort).print_stats(args.top)
    with contextlib.suppress(BrokenPipeError):  # piped to head
        print(text.getvalue())


if __name__ == "__main__":
    main()
