"""What fluxops writes, Go reads back the same (tests/tools/goyamldecode: sigs.k8s.io/yaml as
kubectl and the Flux controllers decode, and kyaml as kustomize reads).

- a hypothesis property over generated strings (numbers in every notation, YAML 1.1 booleans,
  nulls, dates, short SHAs, sexagesimals, underscores, signs, Unicode) as keys and values;
- the values of issue 11, quoted in a repo's source, through `fluxops build` (stdout and
  --output-dir), through a Flux Kustomization's `spec.images` (the kustomization.yaml fluxops
  generates is read by kustomize) and through postBuild substitution (decoded as Flux does).
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fluxops.goyaml import dump, dump_all, is_ambiguous
from tests.gotools import GoDecoder, first_difference

pytestmark = pytest.mark.fidelity

#: The strings of issue 11 and their relatives: each reads as something else when unquoted.
ISSUE_VALUES = [
    "3e91", "0380", "y", "n", "Y", "N", "1e3", "0.5e3", "0o17", "4416e21", "~", "null",
    "yes", "off", "On", "true", "False", "0x1F", "0b101", "017", "1_000", "+1", "-0", ".5",
    "1.", ".inf", "-.Inf", ".NaN", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "1:30",
    "0:30", "<<", "=", "",
]  # fmt: skip

_SIGNS = st.sampled_from(["", "+", "-"])
_DIGITS = st.text("0123456789_", min_size=1, max_size=7)
_HEX = st.text("0123456789abcdefABCDEF_", max_size=8)
_NUMBER_BODY = st.one_of(
    _DIGITS,
    st.builds(lambda a, b: f"{a}.{b}", _DIGITS | st.just(""), _DIGITS | st.just("")),
    st.builds(lambda p, d: p + d, st.sampled_from(["0x", "0X", "0o", "0O", "0b", "0B", "0"]), _HEX),
)
_EXPONENT = st.one_of(
    st.just(""),
    st.builds(
        lambda e, s, d: e + s + d, st.sampled_from("eE"), _SIGNS, st.text("0123456789_", max_size=4)
    ),
)
NUMBERS = st.builds(lambda s, b, e: s + b + e, _SIGNS, _NUMBER_BODY, _EXPONENT)
WORDS = st.sampled_from(
    [*ISSUE_VALUES, "Null", "NULL", "TRUE", "yES", "nO", "oN", "OFF", "Off", ".nan", "+.INF",
     ".Inf", "190:20:30.15", "-1:20", "2001-1-2", "2001-12-14 21:59:43.10 -5", "1e", "e3",
     "0x", "-", ".", "..", "._1", "1__0", "_1", "1_", "0b2", "0o8", "09", "-0b1", "-0o7",
     "1e+3", "1.0e3", "6.8523015e+5", "685.230_15e+03", "0.", "+.5", "-.5e-3", "nan", "inf",
     "Infinity", "?", "-x", "? x", ": x", "#x", "x #y", "x: y", "@x", "`x", "%x", "!x", "&x",
     "*x", "|", ">", "'", '"', "[x]", "{x}", "---", "...", "--- x", "... x", "...\tx", " x", "x ",
     "\t"]
)  # fmt: skip
SHAS = st.text("0123456789abcdef", min_size=4, max_size=12)
DATES = st.builds(
    lambda y, m, d, t: f"{y:04d}-{m}-{d}{t}",
    st.integers(1, 9999),
    st.sampled_from(["1", "01", "12", "13"]),
    st.sampled_from(["2", "02", "31", "32"]),
    st.sampled_from(["", "T10:20:30Z", "t1:2:3.5+01:00", " 10:20:30", " 10:20:30.123456789"]),
)
ATOMS = st.one_of(NUMBERS, WORDS, SHAS, DATES, st.text(max_size=8))
STRINGS = st.one_of(ATOMS, st.lists(ATOMS, min_size=2, max_size=3).map("".join))
VALUES = st.recursive(
    STRINGS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(STRINGS, inner, max_size=3),
    max_leaves=12,
)
DOCUMENTS = st.dictionaries(STRINGS, VALUES, min_size=1, max_size=16)


def without_merge_keys(value: Any) -> Any:
    """kyaml (go-yaml v3 as kustomize uses it) drops a mapping key `<<` however it is spelled
    (plain, quoted, `!!str`-tagged: checked with goyamldecode -kyaml), so no writer can carry
    one to kustomize; sigs.k8s.io/yaml and PyYAML keep a quoted one."""
    if isinstance(value, dict):
        return {k: without_merge_keys(v) for k, v in value.items() if k != "<<"}
    if isinstance(value, list):
        return [without_merge_keys(v) for v in value]
    return value


@settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(docs=st.lists(DOCUMENTS, min_size=1, max_size=4))
def test_go_reads_back_the_strings_fluxops_writes(
    docs: list[dict[str, Any]], go_decoder: GoDecoder
) -> None:
    text = dump_all(docs)
    for kyaml in (False, True):
        decoded = go_decoder.decode(text, kyaml=kyaml)
        assert len(decoded) == len(docs), text
        for doc, back in zip(docs, decoded, strict=True):
            where = first_difference(without_merge_keys(doc) if kyaml else doc, back)
            assert where is None, f"{'kyaml' if kyaml else 'sigs.k8s.io/yaml'}: {where}\n{text}"
    assert list(yaml.safe_load_all(text)) == docs, text


@pytest.mark.parametrize(
    "doc",
    [
        {"a": 1, "... x": "... y", "b": 2},  # what the direct writer takes on
        {"a": 1, "...": "...", "...\tz": ["... w"], "b": 2},  # what it leaves to PyYAML
    ],
)
def test_a_document_end_marker_is_never_written_plain(
    doc: dict[str, Any], go_decoder: GoDecoder
) -> None:
    """`... x` at the start of a line ends the document for Go's decoders: a top-level key (or
    a value) starting with `...` is quoted, so no key after it is lost."""
    text = dump(doc)
    for kyaml in (False, True):
        assert go_decoder.decode(text, kyaml=kyaml) == [doc], text


def test_every_issue_value_is_quoted_keys_too() -> None:
    doc = {v: v for v in ISSUE_VALUES}
    text = dump(doc)
    for v in ISSUE_VALUES:
        assert is_ambiguous(v), v
        if v:  # an empty key is written in the explicit form `? ""`
            assert f'"{v}": "{v}"' in text.splitlines(), (v, text)


# ---- through fluxops build ---------------------------------------------------------------------


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


#: Written as data keys and values of a ConfigMap in the repo (kustomize itself drops a `"<<"`
#: key, quoted or not: kyaml takes it for a merge key; the empty and null-like ones get names).
IN_REPO = [v for v in ISSUE_VALUES if v not in ("", "~", "null", "<<")]


def _repo(root: Path) -> None:
    values = "\n".join(f'  "{v}": "{v}"' for v in IN_REPO)
    _write(
        root / "clusters/test/apps.yaml",
        """apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  images:
    - name: nginx
      newTag: "4416e21"
  postBuild:
    substitute:
      NUM: "1e1"
      FLAG: "y"
      TAG: "0380"
""",
    )
    _write(
        root / "apps/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "resources:\n  - configmap.yaml\n  - deployment.yaml\n",
    )
    _write(
        root / "apps/configmap.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pci-ids\n  namespace: default\n"
        f'data:\n{values}\n  "empty": ""\n  "tilde": "~"\n  "null": "null"\n'
        '  "tag": "${TAG}"\n',
    )
    _write(
        root / "apps/deployment.yaml",
        """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
  annotations:
    example.com/enabled: "${FLAG}"
spec:
  replicas: ${NUM}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: nginx
          image: nginx:1.0
          env:
            - name: ENABLED
              value: ${FLAG}
""",
    )


def test_issue_values_survive_fluxops_build(
    tmp_path: Path, go_decoder: GoDecoder, fluxops_bin: Path
) -> None:
    repo = tmp_path / "repo"
    _repo(repo)
    proc = subprocess.run(
        [str(fluxops_bin), "build", str(repo), "--all", "--no-cache", "-o", "yaml"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out_dir = tmp_path / "out"
    written = subprocess.run(
        [str(fluxops_bin), "build", str(repo), "--all", "--no-cache", "--output-dir", str(out_dir)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert written.returncode == 0, written.stderr
    files = sorted(out_dir.rglob("*.yaml"))
    assert len(files) == 1
    expected: dict[str, Any] = {v: v for v in IN_REPO}
    # `"${TAG}"` is quoted in the source, but kustomize prints it plain (it is a string), so
    # after substitution Flux decodes `tag: 0380` as the number 380: fluxops must too
    expected |= {"empty": "", "tilde": "~", "null": "null", "tag": 380}
    for text in (proc.stdout, files[0].read_text(encoding="utf-8")):
        for kyaml in (False, True):
            objects = {o["kind"]: o for o in go_decoder.decode(text, kyaml=kyaml)}
            assert first_difference(objects["ConfigMap"]["data"], expected) is None
            deploy = objects["Deployment"]
            # spec.images went through the generated kustomization.yaml (read by kyaml)
            assert deploy["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:4416e21"
            # substituted values decoded as Flux decodes them (sigs.k8s.io/yaml, YAML 1.1)
            assert deploy["spec"]["replicas"] == 10
            assert deploy["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] is True
            # quoted in the source, plain in kustomize's output: Flux substitutes and reads `y`
            assert deploy["metadata"]["annotations"]["example.com/enabled"] is True
