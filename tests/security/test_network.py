"""Network: offline by default, a clear finding naming the URL; `--allow-remote` fetches with
a clean environment. A local HTTP server records every request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.security.conftest import CANARY, Recorder, Run, flux_repo, write

pytestmark = [pytest.mark.security]

FETCHED = (
    b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fetched\ndata:\n  x: from-the-network\n"
)


@pytest.mark.parametrize(
    "template",
    [
        "configMapGenerator:\n- name: c\n  files: [k={url}/creds]\n",
        "configMapGenerator:\n- name: c\n  files: [{url}/creds]\n",
        "secretGenerator:\n- name: c\n  envs: [{url}/env]\n",
        "resources: [{url}/cm.yaml]\n",
        "resources: [{url}/org/repo.git?ref=v1]\n",
        "resources: [cm.yaml]\npatches:\n- path: {url}/patch.yaml\n",
    ],
)
def test_no_request_without_allow_remote(
    run: Run, tmp_path: Path, http_server: Recorder, template: str
) -> None:
    http_server.body = FETCHED
    kustomization = template.format(url=http_server.url)
    repo = flux_repo(
        tmp_path / "repo",
        {
            "kustomization.yaml": kustomization,
            "cm.yaml": FETCHED.decode().replace("fetched", "local"),
        },
    )
    for verb in (
        ("build", "--all", "-o", "json"),
        ("validate", "--all", "-o", "json"),
        ("lint", "-o", "json"),
    ):
        result = run(verb[0], str(repo), *verb[1:])
        result.assert_clean()
        assert "from-the-network" not in result.output
    assert http_server.requests == []
    data = json.loads(run("build", str(repo), "--all", "-o", "json", expect=1).stdout)
    (apps,) = [k for k in data["kustomizations"] if k["name"] == "apps"]
    assert http_server.url in apps["error"] and "--allow-remote" in apps["error"]


@pytest.mark.parametrize(
    "entry",
    [
        "https://github.com/org/repo//deploy?ref=v1",
        "github.com/org/repo/deploy",
        "git@github.com:org/repo.git",
        "ssh://git@example.com/org/repo.git",
    ],
)
def test_remote_bases_are_refused_with_the_url(run: Run, tmp_path: Path, entry: str) -> None:
    repo = flux_repo(tmp_path / "repo", {"kustomization.yaml": f"resources:\n- {entry}\n"})
    data = json.loads(run("build", str(repo), "--all", "-o", "json", expect=1).stdout)
    (apps,) = [k for k in data["kustomizations"] if k["name"] == "apps"]
    assert entry in apps["error"] and "is remote" in apps["error"]


def test_allow_remote_fetches(run: Run, tmp_path: Path, http_server: Recorder) -> None:
    http_server.body = FETCHED
    repo = flux_repo(
        tmp_path / "repo", {"kustomization.yaml": f"resources: [{http_server.url}/cm.yaml]\n"}
    )
    result = run("build", str(repo), "--all", "--allow-remote", expect=0)
    result.assert_clean()
    assert "from-the-network" in result.stdout
    assert [r["path"] for r in http_server.requests] == ["/cm.yaml"]


def test_allow_remote_fetches_git_with_a_clean_environment(
    run: Run, tmp_path: Path, http_server: Recorder
) -> None:
    """git runs with no user or system configuration: credentials configured for the user
    (here an extra header in the global git config and in GIT_CONFIG_* variables) never
    reach the server."""
    http_server.status = 404
    config = write(
        tmp_path, {"gitconfig": f"[http]\n\textraHeader = Authorization: Bearer {CANARY}\n"}
    )
    repo = flux_repo(
        tmp_path / "repo",
        {"kustomization.yaml": f"resources: [{http_server.url}/org/repo.git?ref=main]\n"},
    )
    env = {
        "GIT_CONFIG_GLOBAL": str(config / "gitconfig"),
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "http.extraHeader",
        "GIT_CONFIG_VALUE_0": f"X-Token: {CANARY}",
        "SSH_AUTH_SOCK": str(tmp_path / "agent.sock"),
    }
    result = run("build", str(repo), "--all", "--allow-remote", expect=1, env=env)
    result.assert_clean()
    git_requests = [r for r in http_server.requests if "git-upload-pack" in r["path"]]
    assert git_requests, "git was never run: the test proves nothing"
    for request in http_server.requests:
        assert CANARY not in json.dumps(request)
        assert "Authorization" not in request["headers"]
