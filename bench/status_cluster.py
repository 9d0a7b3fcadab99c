"""Benchmark `fluxops status` against `flux get all -A` on the cluster harness.

    python bench/status_cluster.py [--objects 2000] [--repeat 5]

Starts the test harness's real kube-apiserver (tests/cluster, `kube-testcluster up`), installs
the Flux CRDs, creates about --objects Flux objects with realistic status (written through the
status subresource: sources with artifacts, Kustomizations with inventories, HelmReleases with
history, HelmCharts, image automation; one failing GitRepository blocking a namespace's
Kustomizations, failed upgrades, a dependsOn chain per namespace), then times, in the same run
and on the same cluster, end to end as a user runs them:

- `fluxops status -A` (table to a pipe), `fluxops status -A -o json`;
- `flux get all -A` (the real Flux CLI built by scripts/build-go-tools.sh flux);
- `fluxops.api._status()` in process (no interpreter start-up), for reference.

Runs are interleaved (fluxops, fluxops json, flux, fluxops, ...) so that the load of the
machine weighs on each alike. Prints the median and best of --repeat runs and the ratios to
`flux get all -A`, plus what each tool reports (fluxops: classification, root causes, hints; flux: one line per object). Never
gates anything on wall time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# the repo root, for the `tests.` package: `python bench/status_cluster.py` puts only bench/ there
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness import CRD_DIR, ApiServer, tool  # noqa: E402
from tests.cluster.flux_objects import create_with_status, ensure_namespaces  # noqa: E402
from tests.unit.status import objects as o  # noqa: E402

FLUXOPS = [sys.executable, "-m", "fluxops"]


class Cluster(ApiServer):
    """kube-testcluster in its own process group, Flux CRDs installed."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        try:
            self.client = self._client()
            self._install_crds()
        except BaseException:
            self.stop()
            raise

    def _client(self) -> Any:
        from lightkube import Client, KubeConfig

        deadline = time.monotonic() + 120
        while True:
            try:
                client = Client(
                    KubeConfig.from_file(self.kubeconfig).get(context_name="admin"),
                    field_manager="bench",
                )
                from lightkube.resources.core_v1 import Namespace

                list(client.list(Namespace))
                return client
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def _install_crds(self) -> None:
        from lightkube import codecs
        from lightkube.resources.apiextensions_v1 import CustomResourceDefinition

        names: list[str] = []
        for file in sorted(CRD_DIR.glob("*.yaml")):
            for crd in codecs.load_all_yaml(file.read_text()):
                name = crd.metadata.name if crd.metadata else None
                if not name:
                    raise RuntimeError(f"{file}: a CRD without metadata.name")
                self.client.apply(crd, force=True)
                names.append(name)
        deadline = time.monotonic() + 60
        while names:
            crd = self.client.get(CustomResourceDefinition, names[0])
            conds = (crd.status.conditions if crd.status else None) or []
            if any(c.type == "Established" and c.status == "True" for c in conds):
                names.pop(0)
            elif time.monotonic() > deadline:
                raise RuntimeError(f"CRD {names[0]} not Established")
            else:
                time.sleep(0.2)


def fleet(total: int) -> tuple[list[dict[str, Any]], list[str]]:
    """About `total` Flux objects in namespaces of 100: per namespace 2 GitRepositories, a
    HelmRepository, an OCIRepository, an ImageRepository, 55 Kustomizations (inventories of
    12; dependsOn chains of 11), 20 HelmReleases (one with a failed upgrade) with their
    HelmCharts; the first namespace's second GitRepository fails, blocking 11 Kustomizations."""
    per_ns = 100
    objs: list[dict[str, Any]] = []
    namespaces = []
    for n in range(max(1, total // per_ns)):
        ns = f"team-{n:03d}"
        namespaces.append(ns)
        main = o.git_revision("main", f"{ns}/apps")
        failing = o.AUTH_FAILURE if n == 0 else None
        objs += [
            o.git_repository("apps", ns, revision=main),
            o.git_repository(
                "platform", ns, failing=failing, artifact=failing is None, secret="auth"
            ),
            o.helm_repository("charts", ns),
            o.oci_repository("manifests", ns),
            o.image_repository("app", ns),
        ]
        for k in range(55):
            source = "platform" if k % 5 == 0 else "apps"
            inventory = [(f"{ns}_ks-{k:02d}-{i}_apps_Deployment", "v1") for i in range(12)]
            if failing and source == "platform":
                objs.append(
                    o.kustomization(
                        f"ks-{k:02d}",
                        ns,
                        source=("GitRepository", source),
                        ready="False",
                        reason="ArtifactFailed",
                        message="Source artifact not found, retrying in 30s",
                    )
                )
            else:
                deps = [f"ks-{k - 1:02d}"] if k % 11 else None
                objs.append(
                    o.kustomization(
                        f"ks-{k:02d}",
                        ns,
                        source=("GitRepository", source),
                        depends_on=deps,
                        applied=main,
                        inventory=inventory,
                    )
                )
        for h in range(20):
            name = f"app-{h:02d}"
            failed = "6.5.4" if h == 7 else None
            objs.append(o.helm_chart(f"{ns}-{name}", ns, repository="charts"))
            objs.append(
                o.helm_release(
                    name, ns, repository=("charts", ns), failed_upgrade_to=failed, deployed="6.5.3"
                )
            )
    return objs[:total] if len(objs) > total else objs, namespaces


def timed(
    cmd: list[str], repeat: int, env: dict[str, str]
) -> tuple[list[float], subprocess.CompletedProcess[str]]:
    times = []
    proc: subprocess.CompletedProcess[str] | None = None
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - start)
    assert proc is not None
    return times, proc


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    flux = tool("flux")
    with tempfile.TemporaryDirectory(prefix="fluxops-bench-status-") as tmp:
        cluster = Cluster(Path(tmp))
        try:
            objs, namespaces = fleet(args.objects)
            started = time.perf_counter()
            ensure_namespaces(cluster.client, namespaces)
            create_with_status(cluster.client, objs, workers=8)
            print(
                f"created {len(objs)} Flux objects with status in {len(namespaces)} namespaces "
                f"in {time.perf_counter() - started:.1f}s"
            )
            kc = str(cluster.kubeconfig)
            env = {**os.environ, "KUBECONFIG": kc}
            runs = {
                "fluxops status -A (table)": [
                    *FLUXOPS,
                    "status",
                    "-A",
                    "--context",
                    "admin",
                    "--fail-on",
                    "none",
                ],
                "fluxops status -A -o json": [
                    *FLUXOPS,
                    "status",
                    "-A",
                    "--context",
                    "admin",
                    "-o",
                    "json",
                    "--fail-on",
                    "none",
                ],
                "flux get all -A": [str(flux), "get", "all", "-A", "--context", "admin"],
            }
            # warm up both (page cache, API server watch caches)
            for cmd in runs.values():
                subprocess.run(cmd, capture_output=True, env=env)
            # interleaved, so that the load of the machine weighs on every tool alike
            results: dict[str, tuple[list[float], subprocess.CompletedProcess[str]]] = {
                label: ([], subprocess.CompletedProcess([], 0)) for label in runs
            }
            for _ in range(args.repeat):
                for label, cmd in runs.items():
                    times, proc = timed(cmd, 1, env)
                    if proc.returncode not in (0, 1):
                        print(
                            f"{label} failed ({proc.returncode}): {proc.stderr[-2000:]}",
                            file=sys.stderr,
                        )
                    results[label] = (results[label][0] + times, proc)

            from fluxops import api

            in_process = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                result = api.status(api.StatusRequest(kubeconfig=kc, contexts=["admin"]))
                in_process.append(time.perf_counter() - start)
            c = result.clusters[0]
            base = statistics.median(results["flux get all -A"][0])
            print()
            best_base = min(results["flux get all -A"][0])
            print(f"{'run':<34} {'median':>8} {'best':>8} {'median/flux':>12} {'best/flux':>10}")
            rows = [(label, times) for label, (times, _) in results.items()]
            rows.append(("api.status() in process", in_process))
            for label, times in rows:
                med = statistics.median(times)
                print(
                    f"{label:<34} {med:>7.3f}s {min(times):>7.3f}s {med / base:>11.2f}x "
                    f"{min(times) / best_base:>9.2f}x"
                )
            print()
            flux_lines = [
                line
                for line in results["flux get all -A"][1].stdout.splitlines()
                if line.strip() and not line.startswith("NAMESPACE")
            ]
            counts = {str(k): v for k, v in c.counts().items() if v}
            print(f"flux get all -A: {len(flux_lines)} object lines")
            print(
                f"fluxops status: {len(c.objects)} objects {counts}, {len(c.root_causes)} root causes, "
                f"{sum(1 for x in c.objects if x.hint)} hints, read+analysed in {c.seconds:.3f}s"
            )
            print(
                f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
            )
        finally:
            cluster.client.close()
            cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
