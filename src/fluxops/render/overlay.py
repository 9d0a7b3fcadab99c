"""A plain kustomize overlay (`fluxops build DIR`): one read-only, confined kustomize run with
no Flux post-processing. The enclosing repository is staged and the engine confined to it, as
for Flux builds."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fluxops.errors import UsageError
from fluxops.model.findings import Finding, Severity
from fluxops.model.resource import Resource
from fluxops.model.results import BuildResult, KustomizationBuild

if TYPE_CHECKING:
    from fluxops.model.selection import RenderOptions, Selection


def overlay_root(directory: Path) -> Path:
    """The root an overlay build is confined to: the enclosing repository (a folder with
    `.git`), else the working folder when the overlay is inside it, else the overlay itself."""
    from fluxops.loader.repo import enclosing_repository

    resolved = directory.resolve()
    repository = enclosing_repository(resolved)
    if repository is not None:
        return repository
    cwd = Path.cwd().resolve()
    if resolved == cwd or cwd in resolved.parents:
        return cwd
    return resolved


def build_overlay(selection: Selection, options: RenderOptions) -> BuildResult:
    """A plain kustomize overlay: read-only kustomize run, no Flux post-processing. The
    enclosing repository is staged and the engine confined to it, as for Flux builds."""
    from fluxops.loader import confine
    from fluxops.loader.repo import skipped_finding
    from fluxops.loader.yamlio import YamlParseError, load_documents
    from fluxops.model.flux import Kustomization
    from fluxops.render.engine import KustomizeFailure, default_engine
    from fluxops.render.generator import find_kustomization_file
    from fluxops.render.postbuild import PostBuildError, post_build
    from fluxops.render.preflight import preflight
    from fluxops.render.sandbox import Sandbox
    from fluxops.render.workspace import Workspace, stage

    directory = Path(selection.path)
    if not directory.is_dir():
        raise UsageError(f"{selection.path} is not a folder")
    if find_kustomization_file(directory) is None:
        raise UsageError(
            f"{selection.path} has no kustomization file",
            hint="to render a Flux repository use --all (every Kustomization) or --ks NAMESPACE/NAME",
        )
    engine = default_engine(options.kustomize_bin)
    root = overlay_root(directory)
    rel = directory.resolve().relative_to(root).as_posix()
    rel = "" if rel == "." else rel
    synthetic = Resource(
        raw={
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "metadata": {"name": directory.resolve().name, "namespace": ""},
            "spec": {"path": selection.path},
        }
    )
    build = KustomizationBuild(cluster="", kustomization=synthetic, source="(overlay)")
    build.source_dir = selection.path
    tree = confine.scan(root)
    result = BuildResult(builds=[build])
    result.findings.extend(skipped_finding(s) for s in tree.skipped)
    with Workspace(near=root, size=sum(tree.files.values())) as workspace:
        sandbox = Sandbox(
            workspace.root,
            engine.binary,
            home=workspace.home,
            tmp=workspace.tmp,
            allow_remote=options.allow_remote,
            workers=1,
        )
        try:
            staged = workspace.new_dir("source") / "root"
            staged.mkdir()
            stage(tree, staged)
            kfile = find_kustomization_file(staged / rel if rel else staged)
            if kfile is None:
                build.fail(
                    f"{selection.path}: its kustomization file is a symlink or too large, which "
                    "fluxops does not read"
                )
                return result
            label = f"{rel}/{kfile.name}" if rel else kfile.name
            try:
                docs = load_documents(kfile.read_text(encoding="utf-8"))
            except (YamlParseError, OSError, UnicodeDecodeError):
                docs = []
            problems: list[str] = []
            for doc in docs:
                if isinstance(doc.value, dict):
                    checked = preflight(
                        doc.value, staged, rel, label, allow_remote=options.allow_remote
                    )
                    problems.extend(checked.problems)
            if problems:
                build.fail("refused before building: " + "; ".join(problems))
                return result
            stream = engine.build(staged / rel if rel else staged, sandbox)
            outcome = post_build(
                Kustomization(synthetic),
                stream,
                lambda kind, ns, name: None,
                strict=False,
                owner_labels=False,
                origin_of=lambda raw, text: None,
                strip_origin=False,
            )
            build.objects = outcome.objects
        except (KustomizeFailure, PostBuildError) as exc:
            message = str(exc).replace(str(staged) + "/", "").replace(str(staged), ".")
            build.fail(message)
        finally:
            note = sandbox.note()
            sandbox.close()
            if note is not None:
                result.findings.append(Finding("FO017", Severity.INFO, note))
    return result
