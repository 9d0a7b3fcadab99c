"""Every `fluxops ...` command in README.md and docs/*.md (code blocks and indented blocks),
for the tests that run them (tests/docs/test_docs_commands.py, and the cluster ones in
tests/cluster/test_docs_commands.py). Commands that cannot run as written are in SKIPPED,
each with the reason; nothing else is left out."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: README.md and every page of docs/ (docs/cli.md holds the Examples of every --help)
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

#: commands that are documented but cannot run as written, and why
SKIPPED: dict[str, str] = {
    "fluxops build DIR": "placeholder (synopsis)",
    "fluxops build REPO --ks NAMESPACE/NAME": "placeholder (synopsis)",
    "fluxops build REPO --all [--cluster DIR]": "placeholder (synopsis)",
    "fluxops values-diff podinfo --envs staging,production [REPO]": "placeholder (synopsis)",
    "fluxops values-diff podinfo/podinfo --env a=clusters/a --env b=apps/b [REPO]": "placeholder "
    "(synopsis)",
    "fluxops values-diff --all --envs staging,production -o markdown [REPO]": "placeholder "
    "(synopsis)",
    "fluxops status --watch --fail-on progressing": "runs until every object is Ready or it is "
    "interrupted",
    "fluxops values-diff apps/podinfo --env a=clusters/a --env b=apps/b": "placeholder folders "
    "(a and b stand for two environments of the reader's repo)",
    "fluxops diff [REPO] --base REF [--head REF] [--changed-only] [-o text|json|markdown]": ""
    "placeholder (synopsis)",
    'fluxops diff . --base "origin/${{ github.base_ref }}" --head HEAD --changed-only -o markdown': ""
    "a GitHub Actions expression (the workflow of docs/diff.md); the same command with "
    "origin/main runs",
    "fluxops explain Kustomization/ex-flux/apps": "the scenario of tests/cluster/test_explain.py"
    " (test_explain_dependency_not_ready runs it and checks this output)",
    "fluxops explain GitRepository/ex-flux/broken": "a line of the sample output above (the "
    "scenario of tests/cluster/test_explain.py)",
    "fluxops check . --flux-namespace ck-flux-system": "the scenario of "
    "tests/cluster/test_check.py, which runs it",
    "fluxops mcp --root ~/src/fleet": "placeholder folder (the reader's repository)",
    "fluxops mcp --transport http --port 8000": "a server that runs until stopped "
    "(tests/mcp/test_mcp_http.py runs it)",
    "fluxops validate --crds ../charts/crds --crds-from-cluster --snapshot snap.yaml": ""
    "placeholder folder of CRD manifests (--crds is tested in tests/unit/validate)",
}

#: verbs that read a live cluster unless given --snapshot
CLUSTER_VERBS = {"status", "snapshot", "drift", "explain", "check"}


@dataclass(frozen=True)
class DocCommand:
    file: str
    line: int
    text: str  # as written, without the trailing comment and redirection

    @property
    def argv(self) -> list[str]:
        return shlex.split(self.text)[1:]

    @property
    def needs_cluster(self) -> bool:
        argv = self.argv
        return bool(argv) and argv[0] in CLUSTER_VERBS and "--snapshot" not in argv

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.text}"


_PROMPT = re.compile(r"^\s*(?:\$\s+)?(fluxops\s.*)$")


def _clean(line: str) -> str:
    """The command without its trailing `# comment` and without a `> FILE` redirection."""
    text = re.split(r"\s+#\s", line, maxsplit=1)[0]
    text = re.split(r"\s+>\s", text, maxsplit=1)[0]
    return text.strip()


def _joined(text: str) -> list[tuple[int, str]]:
    """(number, line) with shell continuations (a trailing backslash) joined to the line that
    starts them."""
    out: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if pending is not None:
            start, head = pending
            line = head + " " + line.strip()
            number = start
            pending = None
        if line.rstrip().endswith("\\"):
            pending = (number, line.rstrip()[:-1].rstrip())
            continue
        out.append((number, line))
    if pending is not None:
        out.append(pending)
    return out


def doc_commands() -> list[DocCommand]:
    out: list[DocCommand] = []
    for path in DOCS:
        in_fence = False
        for number, line in _joined(path.read_text(encoding="utf-8")):
            if line.lstrip().startswith("```"):
                in_fence = not in_fence
                continue
            indented = line.startswith("    ")
            if not (in_fence or indented):
                continue
            match = _PROMPT.match(line)
            if match is None:
                continue
            # `fluxops lint . && fluxops build --all .`: each fluxops command of the line
            for part in re.split(r"\s(?:&&|\|\|)\s", match[1]):
                if part.strip().startswith("fluxops "):
                    text = _clean(part)
                    out.append(DocCommand(path.relative_to(ROOT).as_posix(), number, text))
    return out
