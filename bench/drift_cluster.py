"""Benchmark `fluxops drift` against `flux diff kustomization` on the cluster harness.

    python bench/drift_cluster.py [--objects 1000] [--repeat 3] [--latency-ms 0,5]

Starts the test harness's real kube-apiserver (tests/cluster, `kube-testcluster up`), applies
a Flux Kustomization of about --objects objects as kustomize-controller would (server-side
apply, inventory), makes the hand edits of the drift tests (tests/cluster/drift_scenario.py),
then times, in the same run and on the same cluster:

- `fluxops drift --mode fields` and `--mode server` (the CLI, end to end: render + read +
  compare), each with the build cache as users get it and with `--no-cache` (flux diff has
  no cache: `--no-cache` is the like-for-like row);
- `flux diff kustomization NAME --path DIR --kustomization-file FILE` (the real Flux CLI);
- both tools' render step alone (`fluxops build --ks`, `flux build kustomization`), so the
  live phase (reads, dry runs, comparison) can be compared without it.

With `--latency-ms` > 0 the API server is reached through a local proxy that delays every
packet by half that much each way (a cluster that far away); 0 is loopback. Verdicts of
the three runs are compared (documented deviations excepted). Prints a table with ratios;
nothing here gates CI.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
# the repo root, for the `tests.` package: `python bench/drift_cluster.py` puts only bench/ there
sys.path.insert(0, str(ROOT))
from harness import CRD_DIR, ApiServer, tool  # noqa: E402
from tests.cluster import drift_scenario as sc  # noqa: E402
from tests.cluster.drift_support import Kube  # noqa: E402

FLUXOPS = ROOT / ".venv" / "bin" / "fluxops"
BASE_OBJECTS = len(sc.objects("x", 2))


# -- the cluster ------------------------------------------------------------------------------


class Cluster(ApiServer):
    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        try:
            self._setup()
        except BaseException:
            self.stop()
            raise

    def _setup(self) -> None:
        self.kube = Kube(str(self.kubeconfig), "admin")
        deadline = time.monotonic() + 120
        while self.kube.request("GET", "/readyz")[0] != 200:
            if time.monotonic() > deadline:
                raise RuntimeError("the API server is not ready after 120s")
            time.sleep(0.3)
        for file in sorted(CRD_DIR.glob("*.yaml")):
            for doc in yaml.safe_load_all(file.read_text()):
                if doc:
                    self.kube.apply(doc, manager="bench")
        time.sleep(2)  # CRDs become Established
        self.kube.apply(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flux-system"}}, "bench"
        )


class LatencyProxy(threading.Thread):
    """127.0.0.1:<port> -> the API server, every chunk delivered `delay` seconds late in both
    directions (no throughput limit: chunks are queued with their due time)."""

    def __init__(self, host: str, port: int, delay: float) -> None:
        super().__init__(daemon=True)
        self.host, self.port, self.delay = host, port, delay
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.listen_port = 0

    def run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
        self.listen_port = server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()

    async def _pipe(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def send() -> None:
            while True:
                due, data = await queue.get()
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    dst.close()
                    return
                dst.write(data)
                await dst.drain()

        sender = asyncio.ensure_future(send())
        try:
            while True:
                data = await src.read(65536)
                queue.put_nowait((time.monotonic() + self.delay, data))
                if not data:
                    break
            await sender
        except (ConnectionError, OSError):
            sender.cancel()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(self.host, self.port)
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))


def proxied_kubeconfig(
    kubeconfig: Path, latency_ms: float, out: Path
) -> tuple[Path, LatencyProxy | None]:
    if latency_ms <= 0:
        return kubeconfig, None
    kc = yaml.safe_load(kubeconfig.read_text())
    server = kc["clusters"][0]["cluster"]["server"]
    m = re.match(r"https://([^:]+):(\d+)", server)
    if m is None:
        raise RuntimeError(f"{kubeconfig}: server {server!r} is not https://HOST:PORT")
    host, port = m.groups()
    proxy = LatencyProxy(host, int(port), latency_ms / 2000)
    proxy.start()
    proxy.ready.wait()
    kc["clusters"][0]["cluster"]["server"] = f"https://{host}:{proxy.listen_port}"
    out.write_text(yaml.safe_dump(kc))
    return out, proxy


# -- runs -------------------------------------------------------------------------------------


def timed(cmd: list[str], cwd: Path, repeat: int) -> tuple[float, list[float], str, int]:
    times, text, code = [], "", 0
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=1800)
        times.append(time.perf_counter() - start)
        text, code = proc.stdout + proc.stderr, proc.returncode
    return statistics.median(times), times, text, code


def fluxops_verdicts(output: str) -> dict[str, str]:
    data = json.loads(output[output.index("{") :])
    out = {}
    for obj in data["objects"]:
        name = f"{obj['kind']}/{obj['namespace'] + '/' if obj['namespace'] else ''}{obj['name']}"
        verdict = obj["verdict"]
        if verdict == "orphaned":
            verdict = "deleted" if obj["prune"] == "prune" else f"orphaned/{obj['prune']}"
        word = {"missing": "created", "in-sync": None}.get(verdict, verdict)
        if word:
            out[name] = word
    return out


def flux_verdicts(output: str) -> dict[str, str]:
    return {
        m.group(1): m.group(2)
        for m in re.finditer(r"► (\S+) (created|drifted|skipped|deleted)", output)
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency-ms", default="0,5", help="comma-separated round trips in ms")
    args = parser.parse_args()
    flux = tool("flux")
    extra = max(0, args.objects - BASE_OBJECTS)
    with tempfile.TemporaryDirectory(prefix="fluxops-drift-bench-") as tmp:
        work = Path(tmp)
        print(f"starting the API server harness in {work} ...", flush=True)
        cluster = Cluster(work)
        try:
            ns, ks = "bench", "bench"
            repo = work / "repo"
            start = time.perf_counter()
            sc.write_repo(repo, ns, ks, 1, extra)
            sc.apply_as_flux(cluster.kube, ns, ks, extra)
            ks_file = sc.write_repo(repo, ns, ks, 2, extra)
            sc.edit_live(cluster.kube, ns, ks)
            count = BASE_OBJECTS + extra
            print(f"applied {count + 2} objects, edited them ({time.perf_counter() - start:.1f}s)")
            for latency in [float(x) for x in args.latency_ms.split(",") if x.strip()]:
                run(cluster, flux, repo, ks_file, ks, count, latency, args.repeat, work)
        finally:
            cluster.stop()


def run(
    cluster: Cluster,
    flux: Path,
    repo: Path,
    ks_file: Path,
    ks: str,
    count: int,
    latency: float,
    repeat: int,
    work: Path,
) -> None:
    # the proxy (a daemon thread) serves until the process exits
    kubeconfig, _proxy = proxied_kubeconfig(
        cluster.kubeconfig, latency, work / f"kc-{latency}.yaml"
    )
    kube = ["--kubeconfig", str(kubeconfig), "--context", "admin"]
    drift = [str(FLUXOPS), "drift", ".", "--ks", f"flux-system/{ks}", *kube, "-o", "json"]
    flux_diff = [
        str(flux),
        "diff",
        "kustomization",
        ks,
        "--path",
        "./apps",
        "--kustomization-file",
        str(ks_file.relative_to(repo)),
        *kube,
        "--progress-bar=false",
    ]
    rows: dict[str, tuple[float, list[float], str, int]] = {}
    load = os.getloadavg()[0]
    subprocess.run([*drift, "--mode", "fields"], cwd=repo, capture_output=True)  # warm the cache
    rows["fluxops drift --mode fields"] = timed([*drift, "--mode", "fields"], repo, repeat)
    rows["fluxops drift --mode fields --no-cache"] = timed(
        [*drift, "--mode", "fields", "--no-cache"], repo, repeat
    )
    rows["fluxops drift --mode server"] = timed([*drift, "--mode", "server"], repo, repeat)
    rows["fluxops drift --mode server --no-cache"] = timed(
        [*drift, "--mode", "server", "--no-cache"], repo, repeat
    )
    rows["flux diff kustomization"] = timed(flux_diff, repo, repeat)
    rows["flux diff kustomization --kube-api-qps=-1"] = timed(
        [*flux_diff, "--kube-api-qps=-1"], repo, repeat
    )
    rows["fluxops build --ks -o json (render only)"] = timed(
        [str(FLUXOPS), "build", ".", "--ks", f"flux-system/{ks}", "-o", "json"], repo, repeat
    )
    rows["flux build kustomization (render only)"] = timed(
        [
            str(flux),
            "build",
            "kustomization",
            ks,
            "--path",
            "./apps",
            "--kustomization-file",
            str(ks_file.relative_to(repo)),
            *kube,
        ],
        repo,
        repeat,
    )
    load = max(load, os.getloadavg()[0])
    baseline = rows["flux diff kustomization"][0]
    unthrottled = rows["flux diff kustomization --kube-api-qps=-1"][0]
    where = "loopback" if latency <= 0 else f"{latency:g} ms round trip"
    print(f"\n## {count} objects, {where}, median of {repeat} (load average up to {load:.1f})\n")
    print(
        "| run | seconds | exit | requests | flux diff / this | flux diff (no rate limit) / this |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, (median, _times, text, code) in rows.items():
        requests, ratios = "", " | "
        if name.startswith("fluxops drift"):
            requests = str(json.loads(text[text.index("{") :])["requests"])
            ratios = f"{baseline / median:.1f}x | {unthrottled / median:.1f}x"
        print(f"| {name} | {median:.2f} | {code} | {requests} | {ratios} |")
    flux_render = rows["flux build kustomization (render only)"][0]
    for mode in ("fields", "server"):
        text = rows[f"fluxops drift --mode {mode}"][2]
        timings = json.loads(text[text.index("{") :])["timings"]
        ours_live = max(sum(v for k, v in timings.items() if k != "render"), 0.001)
        print(
            f"live phase ({mode}): fluxops {ours_live:.2f}s (its own timings: {timings}); "
            f"flux diff minus flux build {baseline - flux_render:.2f}s "
            f"({(baseline - flux_render) / ours_live:.1f}x), without its rate limit "
            f"{unthrottled - flux_render:.2f}s ({(unthrottled - flux_render) / ours_live:.1f}x)"
        )
    theirs = flux_verdicts(rows["flux diff kustomization"][2])
    deviations = {"ConfigMap/bench/stale-kept", "ConfigMap/bench/extra-owned"}
    for mode in ("fields", "server"):
        ours = fluxops_verdicts(rows[f"fluxops drift --mode {mode}"][2])
        same = {k: v for k, v in ours.items() if k not in deviations} == {
            k: v for k, v in theirs.items() if k not in deviations
        }
        print(
            f"verdicts ({mode}) {'equal to' if same else 'DIFFER FROM'} flux diff "
            f"({len(theirs)} objects flagged by flux; documented deviations: "
            f"{', '.join(sorted(f'{k}: flux {theirs.get(k)}, fluxops {ours.get(k)}' for k in deviations))})"
        )


if __name__ == "__main__":
    main()
