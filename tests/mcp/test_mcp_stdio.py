"""`fluxops mcp` over stdio, driven by the SDK's own client: the tools and their annotations,
a call of each repository tool on examples/, paging, the size limit, errors, prompts and
resources. (status and drift on a real API server: tests/cluster/test_mcp.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp_types import CallToolResult, TextResourceContents

from tests.conftest import EXAMPLE
from tests.mcp.session import TOOLS, check_annotations, check_result, stdio_session

pytestmark = pytest.mark.unit

REPO = "podinfo-platform"
CALLS: dict[str, dict[str, Any]] = {
    "build": {"path": REPO},
    "validate": {"path": REPO},
    "lint": {"path": REPO},
    "values_diff": {"path": REPO, "release": "podinfo", "envs": ["staging", "production"]},
    "list": {"path": REPO},
}


@pytest.fixture(scope="module")
def session_log(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One server for the module: everything the tests below look at."""
    tmp = tmp_path_factory.mktemp("mcp")
    log: dict[str, Any] = {"progress": []}

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        log["progress"].append((progress, total))

    async def run() -> None:
        async with stdio_session(EXAMPLE.parent, tmp, "--max-bytes", "4000") as session:
            tools = {t.name: t for t in (await session.list_tools()).tools}
            log["tools"] = tools
            log["calls"] = {
                name: await session.call_tool(name, args, progress_callback=on_progress)
                for name, args in CALLS.items()
            }
            log["objects"] = await session.call_tool(
                "build",
                {
                    "path": REPO,
                    "ks": "flux-system/apps",
                    "cluster": "clusters/staging",
                    "objects": True,
                },
            )
            log["page2"] = await session.call_tool("list", {"path": REPO, "offset": 2, "limit": 2})
            log["narrow"] = await session.call_tool(
                "list", {"path": REPO, "kind": "HelmRelease", "namespace": "podinfo"}
            )
            log["outside"] = await session.call_tool("build", {"path": "../.."})
            log["missing"] = await session.call_tool(
                "build", {"path": REPO, "ks": "flux-system/nope"}
            )
            log["prompts"] = (await session.list_prompts()).prompts
            log["prompt"] = await session.get_prompt(
                "debug_helmrelease", {"name": "podinfo/podinfo", "path": REPO}
            )
            log["resources"] = (await session.list_resources()).resources
            log["skill"] = await session.read_resource("fluxops://skill")
            log["rule"] = await session.read_resource("fluxops://lint/rules/ks-prune")

    anyio.run(run)
    return log


def test_every_tool_is_listed_and_annotated_read_only(session_log: dict[str, Any]) -> None:
    tools = session_log["tools"]
    assert set(tools) == TOOLS
    for tool in tools.values():
        check_annotations(tool)
        assert tool.description
        assert tool.output_schema is not None
    assert tools["status"].annotations.open_world_hint is True
    assert tools["build"].annotations.open_world_hint is False
    assert tools["explain"].annotations.open_world_hint is True
    assert tools["check"].annotations.open_world_hint is True
    assert tools["diff"].annotations.open_world_hint is False


def test_each_repository_tool_answers_with_the_verbs_json(session_log: dict[str, Any]) -> None:
    tools = session_log["tools"]
    data = {name: check_result(tools[name], r) for name, r in session_log["calls"].items()}
    build = data["build"]["summary"]
    assert (build["ok"], build["failed"], build["exitCode"]) == (8, 0, 0)
    assert data["lint"]["summary"]["exitCode"] == 0
    assert data["validate"]["summary"]["kustomizationsOk"] == 8
    assert {name: d["kind"] for name, d in data.items()} == {
        "build": "BuildResult",
        "validate": "ValidateResult",
        "lint": "LintResult",
        "values_diff": "ValuesDiffResult",
        "list": "ListResult",
    }
    assert [r["release"] for r in data["values_diff"]["releases"]] == ["podinfo/podinfo"]
    assert data["list"]["summary"]["helmReleases"] == 4
    # the --max-bytes 4000 limit cut the list answer, and says so
    page = data["list"]["page"]
    assert page["truncated"] is True
    assert "maxBytes" in page["hint"]
    lists = page["lists"]
    assert lists["kustomizations"]["returned"] < lists["kustomizations"]["total"] == 8
    assert lists["kustomizations"]["nextOffset"] == lists["kustomizations"]["returned"]


def test_progress_is_reported_while_kustomizations_render(session_log: dict[str, Any]) -> None:
    progress = session_log["progress"]
    assert progress, "no progress notification arrived"
    assert (8.0, 8.0) in progress


def test_build_objects_are_masked_and_narrowed(session_log: dict[str, Any]) -> None:
    data = check_result(session_log["tools"]["build"], session_log["objects"])
    objects = data["objects"]
    assert objects
    assert {o["kustomization"] for o in objects} == {"flux-system/apps"}
    for o in objects:
        if o["kind"] == "Secret":
            values = {**o["object"].get("data", {}), **o["object"].get("stringData", {})}
            assert all(set(str(v)) <= {"*"} for v in values.values()), o["name"]


def test_paging_and_narrowing(session_log: dict[str, Any]) -> None:
    tools = session_log["tools"]
    page2 = check_result(tools["list"], session_log["page2"])
    info = page2["page"]["lists"]["kustomizations"]
    assert (info["offset"], info["returned"], info["nextOffset"]) == (2, 2, 4)
    narrow = check_result(tools["list"], session_log["narrow"])
    assert {(h["namespace"], h["name"]) for h in narrow["helmReleases"]} == {("podinfo", "podinfo")}
    assert narrow["kustomizations"] == [] and narrow["sources"] == []


def test_errors_are_tool_errors_with_the_cli_message(session_log: dict[str, Any]) -> None:
    for key, expected in (("outside", "outside the folder"), ("missing", "flux-system/nope")):
        result = session_log[key]
        assert isinstance(result, CallToolResult)
        assert result.is_error
        assert expected in result.content[0].text  # type: ignore[union-attr]


def test_prompts_and_resources(session_log: dict[str, Any]) -> None:
    assert {p.name for p in session_log["prompts"]} == {"debug_kustomization", "debug_helmrelease"}
    text = session_log["prompt"].messages[0].content.text
    assert '"release": "podinfo/podinfo"' in text and "`status`" in text
    assert text.index("`explain`") < text.index("`status`")
    assert '"object": "HelmRelease/podinfo/podinfo"' in text
    uris = {str(r.uri) for r in session_log["resources"]}
    assert "fluxops://skill" in uris
    assert {"fluxops://lint/rules/ks-prune", "fluxops://lint/rules"} <= uris
    (skill,) = session_log["skill"].contents
    assert isinstance(skill, TextResourceContents)
    assert skill.text.startswith("---\nname: fluxops-gitops")
    (rule,) = session_log["rule"].contents
    assert isinstance(rule, TextResourceContents)
    assert rule.text.startswith("### ks-prune")


def test_a_cancelled_call_stops_the_verb_between_kustomizations(tmp_path: Path) -> None:
    """The adapter sets the cancel hook when the client's cancel reaches the task."""
    import threading
    import time

    from fluxops.errors import CancelledByClient
    from fluxops.mcp.adapter import ServerConfig, run_tool

    started, stopped = threading.Event(), threading.Event()

    def call(progress: Any, cancelled: Any) -> Any:
        started.set()
        deadline = time.monotonic() + 30
        while not cancelled() and time.monotonic() < deadline:
            time.sleep(0.01)
        if cancelled():
            stopped.set()
        raise CancelledByClient("stopped")

    async def main() -> None:
        async with anyio.create_task_group() as group:
            config = ServerConfig(root=tmp_path)
            group.start_soon(lambda: run_tool("build", call, config=config, report=None))
            await anyio.to_thread.run_sync(started.wait, 30)
            group.cancel_scope.cancel()

    anyio.run(main)
    assert stopped.wait(30), "the verb never saw the cancellation"


def test_a_client_cancel_stops_the_render_in_the_server(tmp_path: Path) -> None:
    """The SDK client cancels a build at its first progress notification: the server's render
    stops between Kustomizations (it says so on stderr) instead of running to the end."""
    cancelled_at: list[float] = []

    async def main() -> None:
        async with stdio_session(EXAMPLE.parent, tmp_path) as session:
            async with anyio.create_task_group() as group:

                async def on_progress(
                    progress: float, total: float | None, message: str | None
                ) -> None:
                    if not cancelled_at:
                        cancelled_at.append(progress)
                        group.cancel_scope.cancel()

                async def call() -> None:
                    await session.call_tool("build", {"path": REPO}, progress_callback=on_progress)

                group.start_soon(call)
            # the session stays open while the server notices the cancellation
            log = tmp_path / "server-stderr.log"
            for _ in range(300):
                if "cancelled by the client" in log.read_text():
                    break
                await anyio.sleep(0.1)

    anyio.run(main)
    assert cancelled_at, "no progress notification arrived"
    text = (tmp_path / "server-stderr.log").read_text()
    assert "fluxops mcp: build: cancelled by the client after" in text
    assert "after 8 of 8" not in text


def test_diff_tool_on_a_git_repository(tmp_path: Path) -> None:
    """`diff` between the tag `base` and a commit that bumps the podinfo replicas: the
    DiffResult envelope, its summary counting the change and exitCode 0."""
    from tests.gitrepos import GitRepo

    repo = GitRepo.copy_of(EXAMPLE, tmp_path / "root" / "repo")
    repo.edit("apps/base/podinfo/smoke.yaml", "replicas: 1", "replicas: 3")
    repo.commit("three smoke replicas")

    async def run() -> tuple[Any, Any]:
        async with stdio_session(tmp_path / "root", tmp_path) as session:
            tools = {t.name: t for t in (await session.list_tools()).tools}
            result = await session.call_tool(
                "diff", {"path": "repo", "base": "base", "head": "HEAD"}
            )
            return tools["diff"], result

    tool, result = anyio.run(run)
    data = check_result(tool, result)
    assert data["kind"] == "DiffResult" and data["summary"]["exitCode"] == 0
    assert data["summary"]["changed"] >= 1 and data["summary"]["changedFiles"] == 1
    assert data["changedFiles"] == ["apps/base/podinfo/smoke.yaml"]
    assert {k["status"] for k in data["kustomizations"]} == {"changed"}
