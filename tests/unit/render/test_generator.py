from pathlib import Path

import pytest

from fluxops.render.generator import (
    GeneratorError,
    generate,
    merge_images,
    merge_spec,
    scan_manifests,
)

pytestmark = pytest.mark.unit


def never(path: Path, is_dir: bool) -> bool:
    return False


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n"


def test_generated_kustomization_lists_files_and_stops_at_kustomization_dirs(
    tmp_path: Path,
) -> None:
    write(tmp_path, "a.yaml", CM.format(name="a"))
    write(tmp_path, "sub/b.yml", CM.format(name="b"))
    write(tmp_path, "sub/deeper/c.yaml", CM.format(name="c"))
    write(tmp_path, "app/kustomization.yaml", "resources: [x.yaml]\n")
    write(tmp_path, "app/x.yaml", CM.format(name="x"))
    write(tmp_path, "notes.txt", "not yaml")
    result = generate(tmp_path, {}, never)
    assert result.created and result.file_name == "kustomization.yaml"
    assert result.kustomization["resources"] == [
        "./a.yaml",
        "./app",
        "./sub/b.yml",
        "./sub/deeper/c.yaml",
    ]


def test_empty_folder_gets_the_placeholder_namespace(tmp_path: Path) -> None:
    result = generate(tmp_path, {}, never)
    assert result.kustomization["namespace"] == "_placeholder"
    assert "resources" not in result.kustomization


def test_unparsable_yaml_fails_the_generation_like_flux(tmp_path: Path) -> None:
    write(tmp_path, "bad.yaml", "kind: [\n")
    with pytest.raises(GeneratorError, match=r"failed to decode Kubernetes YAML from \./bad.yaml"):
        scan_manifests(tmp_path, never)


def test_ignored_files_are_left_out(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", CM.format(name="a"))
    write(tmp_path, "skip.yaml", CM.format(name="s"))
    result = generate(tmp_path, {}, lambda p, d: p.name == "skip.yaml")
    assert result.kustomization["resources"] == ["./a.yaml"]


def test_existing_file_is_used_in_flux_order(tmp_path: Path) -> None:
    write(tmp_path, "kustomization.yml", "resources: [a.yaml]\nnamespace: old\n")
    write(tmp_path, "Kustomization", "resources: [b.yaml]\n")
    result = generate(tmp_path, {"targetNamespace": "new"}, never)
    assert not result.created
    assert result.file_name == "kustomization.yml"
    assert result.kustomization["resources"] == ["a.yaml"]
    assert result.kustomization["namespace"] == "new"


def test_spec_fields_merge_in_the_controllers_order(tmp_path: Path) -> None:
    (tmp_path / "comp").mkdir()
    kus = {
        "namePrefix": "old-",
        "patches": [{"path": "p.yaml"}],
        "components": ["../x"],
        "images": [{"name": "nginx", "newTag": "1.0"}],
    }
    notes = merge_spec(
        kus,
        {
            "targetNamespace": "apps",
            "namePrefix": "pre-",
            "nameSuffix": "-suf",
            "patches": [
                {"patch": "- op: add", "target": {"kind": "Deployment", "name": ""}},
                {"patch": "kind: X"},
            ],
            "components": ["comp"],
            "images": [
                {"name": "nginx", "newName": "registry/nginx"},
                {"name": "redis", "newTag": "7"},
            ],
        },
        tmp_path,
    )
    assert notes == []
    assert kus["namespace"] == "apps"
    assert (kus["namePrefix"], kus["nameSuffix"]) == ("pre-", "-suf")
    assert kus["patches"] == [
        {"path": "p.yaml"},
        {"patch": "- op: add", "target": {"kind": "Deployment"}},
        {"patch": "kind: X"},
    ]
    assert kus["components"] == ["../x", "comp"]
    assert kus["images"] == [
        {"name": "nginx", "newTag": "1.0", "newName": "registry/nginx"},
        {"name": "redis", "newTag": "7"},
    ]


@pytest.mark.parametrize(
    ("existing", "image", "expected"),
    [
        # newTag and digest are replaced as a unit (kustomize-controller v1.9.4)
        (
            {"name": "a", "newTag": "1", "digest": "sha256:x"},
            {"name": "a", "newTag": "2"},
            {"name": "a", "newTag": "2"},
        ),
        (
            {"name": "a", "newTag": "1"},
            {"name": "a", "digest": "sha256:y"},
            {"name": "a", "digest": "sha256:y"},
        ),
        # newName alone keeps the tag
        (
            {"name": "a", "newTag": "1"},
            {"name": "a", "newName": "b"},
            {"name": "a", "newTag": "1", "newName": "b"},
        ),
    ],
)
def test_image_merge(
    existing: dict[str, str], image: dict[str, str], expected: dict[str, str]
) -> None:
    assert merge_images([existing], [image]) == [expected]


def test_remote_components_are_refused(tmp_path: Path) -> None:
    with pytest.raises(GeneratorError, match="local relative path"):
        merge_spec({}, {"components": ["https://example.com/c"]}, tmp_path)
    with pytest.raises(GeneratorError, match="local relative path"):
        merge_spec({}, {"components": ["/abs/c"]}, tmp_path)


def test_missing_component_fails_unless_ignored(tmp_path: Path) -> None:
    with pytest.raises(GeneratorError, match="not found"):
        merge_spec({}, {"components": ["nope"]}, tmp_path)
    kus: dict[str, object] = {}
    notes = merge_spec(kus, {"components": ["nope"], "ignoreMissingComponents": True}, tmp_path)
    assert kus["components"] == [] and "nope" in notes[0]


def test_legacy_patch_fields_are_appended_as_kustomize_strings(tmp_path: Path) -> None:
    kus: dict[str, object] = {}
    merge_spec(
        kus,
        {
            "patchesStrategicMerge": [{"kind": "Deployment", "metadata": {"name": "a"}}],
            "patchesJson6902": [
                {
                    "target": {"kind": "Deployment", "name": "a"},
                    "patch": [{"op": "remove", "path": "/x"}],
                }
            ],
        },
        tmp_path,
    )
    assert kus["patchesStrategicMerge"] == ['{"kind":"Deployment","metadata":{"name":"a"}}']
    assert kus["patchesJson6902"] == [
        {"patch": '[{"op":"remove","path":"/x"}]', "target": {"kind": "Deployment", "name": "a"}}
    ]
