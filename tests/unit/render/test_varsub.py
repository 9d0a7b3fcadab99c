"""fluxops.render.varsub against Flux's own behaviour.

Every expected value below is what Flux's Go code gives. The sources are
github.com/fluxcd/pkg/envsubst v1.7.1 (eval_test.go, funcs_test.go, parse_test.go and the parser
itself) and github.com/fluxcd/pkg/kustomize v1.35.6 (kustomize_varsub.go,
kustomize_varsub_test.go and its testdata). Each case was also run through those Go packages
(envsubst.Eval, regexp, sigs.k8s.io/yaml.YAMLToJSON) and gave the result stated here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import yaml

from fluxops.errors import SubstitutionError
from fluxops.render.varsub import (
    VAR_NAME,
    check_variable_names,
    clean_value,
    envsubst,
    is_substitution_disabled,
    substitute_resource_text,
)

pytestmark = pytest.mark.unit


@dataclass(frozen=True)
class Case:
    """One envsubst.Eval call: `want` is the output; `error` the exact error text instead."""

    id: str
    text: str
    vars: dict[str, str] = field(default_factory=dict)
    want: str = ""
    error: str | None = None
    strict: bool = False


V01 = {"var01": "abcdEFGH28ij"}
PATH_NAME = {"path_name": "/home/bozo/ideas/thoughts.for.today"}
STRING_Z = {"stringZ": "abcABC123ABCabc"}

# envsubst/eval_test.go TestExpand (non-strict mapping: vars[s], true)
EVAL_TEST_GO = [
    Case("text-only", "abcdEFGH28ij", want="abcdEFGH28ij"),
    Case("length", "${#var01}", V01, want="12"),
    Case("uppercase-first", "${var01^}", V01, want="AbcdEFGH28ij"),
    Case("uppercase", "${var01^^}", V01, want="ABCDEFGH28IJ"),
    Case("lowercase-first", "${var01,}", {"var01": "ABCDEFGH28IJ"}, want="aBCDEFGH28IJ"),
    Case("lowercase", "${var01,,}", {"var01": "ABCDEFGH28IJ"}, want="abcdefgh28ij"),
    Case("substring-pos", "${path_name:11}", PATH_NAME, want="ideas/thoughts.for.today"),
    Case("substring-pos-len", "${path_name:11:5}", PATH_NAME, want="ideas"),
    Case("default-not-used", "${var=xyz}", {"var": "abc"}, want="abc"),
    Case("default-used", "${var=xyz}", want="xyz"),
    Case(
        "default-nested",
        "something ${var=${default_var}}",
        {"default_var": "foo"},
        want="something foo",
    ),
    Case(
        "default-nested-suffix",
        "foo: ${var=${default_var}-suffix}",
        {"default_var": "foo1"},
        want="foo: foo1-suffix",
    ),
    Case(
        "default-nested-prefix-suffix",
        "foo: ${var=prefix${default_var}-suffix}",
        {"default_var": "foo1"},
        want="foo: prefixfoo1-suffix",
    ),
    Case("colon-equal-default", "${var:=xyz}", want="xyz"),
    Case("replace-suffix", "${stringZ/%abc/XYZ}", STRING_Z, want="abcABC123ABCXYZ"),
    Case("replace-prefix", "${stringZ/#abc/XYZ}", STRING_Z, want="XYZABC123ABCabc"),
    Case("replace-all", "${stringZ//abc/xyz}", STRING_Z, want="xyzABC123ABCxyz"),
    Case("replace-first", "${stringZ/abc/xyz}", STRING_Z, want="xyzABC123ABCabc"),
    Case(
        "trim-shortest-prefix-dot",
        "${filename#*.}",
        {"filename": "bash.string.txt"},
        want="string.txt",
    ),
    Case(
        "trim-shortest-prefix-slash", "${filename#*/}", {"filename": "path/to/file"}, want="to/file"
    ),
    Case(
        "trim-shortest-prefix-rooted",
        "${filename#*/}",
        {"filename": "/path/to/file"},
        want="path/to/file",
    ),
    Case("trim-longest-prefix-dot", "${filename##*.}", {"filename": "bash.string.txt"}, want="txt"),
    # '*' crosses '/': Flux's path.Match fork dropped the separator rule.
    Case("trim-longest-prefix-slash", "${filename##*/}", {"filename": "path/to/file"}, want="file"),
    Case(
        "trim-longest-prefix-rooted", "${filename##*/}", {"filename": "/path/to/file"}, want="file"
    ),
    Case(
        "trim-shortest-suffix",
        "${filename%.*}",
        {"filename": "bash.string.txt"},
        want="bash.string",
    ),
    Case("trim-longest-suffix", "${filename%%.*}", {"filename": "bash.string.txt"}, want="bash"),
    Case("nested-parameter", "${var=${var01^^}}", V01, want="ABCDEFGH28IJ"),
    Case("escaped", "$${var01}", V01, want="${var01}"),
    Case(
        "escaped-mixed",
        "some text ${var01}$${var$${var01}$var01${var01}",
        V01,
        want="some text abcdEFGH28ij${var${var01}$var01abcdEFGH28ij",
    ),
    Case(
        "escaped-default",
        "something $${var=${default_var}}",
        {"default_var": "foo"},
        want="something ${var=foo}",
    ),
    Case("escaped-slash-first", r"${stringZ/\//-}", {"stringZ": "foo/bar"}, want="foo-bar"),
    Case("escaped-slash-all", r"${stringZ//\//-}", {"stringZ": "foo/bar/baz"}, want="foo-bar-baz"),
    Case(
        "backslash-outside-untouched",
        r"\\something ${var=${default_var}}",
        {"default_var": "foo"},
        want=r"\\something foo",
    ),
    Case("replace-with-blank", "${stringZ/./}", {"stringZ": "foo.bar"}, want="foobar"),
]

# envsubst/eval_test.go TestExpandStrict (strict mapping: v, exists)
NOT_SET = "variable not set (strict mode)"
EVAL_TEST_GO_STRICT = [
    Case("strict-text-only", "abcdEFGH28ij", want="abcdEFGH28ij", strict=True),
    Case("strict-existing", "${foo}", {"foo": "bar"}, want="bar", strict=True),
    Case("strict-existing-empty", "${foo}", {"foo": ""}, want="", strict=True),
    Case("strict-missing", "${missing}", error=f'{NOT_SET}: "missing"', strict=True),
    Case(
        "strict-missing-default", "${missing:=default}", {"foo": "bar"}, want="default", strict=True
    ),
    *(
        Case(f"strict-missing-transform-{expr}", expr, error=f'{NOT_SET}: "missing"', strict=True)
        for expr in (
            "${#missing}",
            "${missing^}",
            "${missing^^}",
            "${missing,}",
            "${missing,,}",
            "${missing:0}",
            "${missing:0:10}",
            "${missing/pattern/replacement}",
            "${missing//pattern/replacement}",
            "${missing/#pattern/replacement}",
            "${missing/%pattern/replacement}",
            "${missing#pattern}",
            "${missing##pattern}",
            "${missing%pattern}",
            "${missing%%pattern}",
        )
    ),
    Case("strict-missing-colon-minus", "${missing:-fallback}", want="fallback", strict=True),
    Case("strict-missing-colon-equal", "${missing:=assigned}", want="assigned", strict=True),
    Case("strict-missing-equal", "${missing=assigned}", want="assigned", strict=True),
]

# Corners read from parse.go, scan.go, funcs.go, template.go and path/match.go.
CORNERS = [
    # $ handling in plain text
    Case("dollar-var-left-alone", "a: $var $HOME", {"var": "x"}, want="a: $var $HOME"),
    Case("double-dollar-anywhere", "$$var $$ a$$b", want="$var $ a$b"),
    Case("four-dollars", "$$$$", want="$$"),
    Case("triple-dollar-then-expr", "$$${v}", {"v": "x"}, want="$x"),
    Case("lone-dollar", "cost: 5$", want="cost: 5$"),
    Case("dollar-brace-close", "$}", want="$}"),
    Case("nul-ends-input", "a\x00${v}", {"v": "x"}, want="a"),
    # identifiers: Unicode letters and digits, leading digit allowed
    Case("name-leading-digit", "[${1abc}]", {"1abc": "x"}, want="[x]"),
    Case("name-unicode", "${é}", {"é": "x"}, want="x"),
    Case("name-missing-non-strict", "[${nope}]", want="[]"),
    Case("name-dot", "${a.b}", error="missing closing brace"),
    Case("name-space-before", "${ v}", error="unable to parse variable name"),
    Case("name-space-after", "${v }", error="missing closing brace"),
    Case("name-empty", "${}", error="unable to parse variable name"),
    # operators without a colon that the parser does not know
    Case("minus-without-colon", "${v-d}", {"v": "x"}, error="missing closing brace"),
    Case("plus-without-colon", "${v+d}", error="missing closing brace"),
    Case("question-without-colon", "${v?d}", error="missing closing brace"),
    # defaults: applied when the value is EMPTY; nothing assigns; :+ and :? are defaults too
    Case("colon-minus-set", "${v:-d}", {"v": "x"}, want="x"),
    Case("colon-minus-empty", "${v:-d}", {"v": ""}, want="d"),
    Case("equal-empty-uses-default", "${v=d}", {"v": ""}, want="d"),
    Case("colon-plus-set-gives-value", "${v:+alt}", {"v": "x"}, want="x"),
    Case("colon-plus-empty-gives-alt", "${v:+alt}", {"v": ""}, want="alt"),
    Case("colon-question-missing", "${v:?must be set}", want="must be set"),
    Case("default-does-not-assign", "${v:=d}/${v}", want="d/"),
    Case("default-empty", "[${v:=}]", want="[]"),
    Case("default-keeps-dollars", "${v:=$$}", want="$$"),
    Case("default-keeps-backslash", r"${v:=a\/b}", want=r"a\/b"),
    Case("default-with-colon", "${v:=a:b}", want="a:b"),
    Case("default-double-equal", "${v==x}", want="=x"),
    Case("default-nested-twice", "${a:=${b:=${c}}}", {"c": "deep"}, want="deep"),
    Case("default-nested-strict-inner-missing", "${a:=${b}}", error=f'{NOT_SET}: "b"', strict=True),
    Case("default-unterminated", "${v:=abc", error="unable to parse substitution within function"),
    # unterminated and malformed expressions
    Case("unterminated-open", "a: ${", error="unable to parse variable name"),
    Case("unterminated-name", "a: ${v", error="missing closing brace"),
    Case("len-empty", "${#}", error="bad substitution"),
    Case("len-with-default", "${#v:=x}", error="bad substitution"),
    Case("casing-three", "${v^^^}", error="bad substitution"),
    Case("casing-mixed-is-identity", "${v,^}", {"v": "aBc"}, want="aBc"),
    Case("substr-empty-offset", "${v:}", error="unable to parse substitution within function"),
    Case("substr-empty-length", "${v:1:}", error="unable to parse substitution within function"),
    Case("trim-empty-pattern", "${v#}", error="unable to parse substitution within function"),
    Case("replace-unterminated", "${v/a}", error="bad substitution"),
    Case(
        "replace-empty-pattern-v171",
        "${v/#/prefix-}",
        {"v": "x"},
        error="unable to parse substitution within function",
    ),
    Case(
        "parse-error-before-strict",
        "${missing} ${",
        error="unable to parse variable name",
        strict=True,
    ),
    Case("strict-left-to-right", "${a}${b}", error=f'{NOT_SET}: "a"', strict=True),
    # substrings count bytes; negative offsets count from the end; Atoi is strict
    Case("substr-negative-length", "${v:1:-1}", {"v": "hello"}, want="ell"),
    Case("substr-colon-minus-is-default", "${v:-3}", {"v": "hello"}, want="hello"),
    Case("substr-space-negative", "${v: -3}", {"v": "hello"}, want="hello"),
    Case("substr-negative-offset", "${v:${n}}", {"v": "hello", "n": "-3"}, want="llo"),
    Case("substr-beyond-end", "[${v:7}]", {"v": "hello"}, want="[]"),
    Case("substr-length-past-end", "${v:2:100}", {"v": "hello"}, want="llo"),
    Case("substr-not-a-number", "${v:0x2}", {"v": "hello"}, want="hello"),
    Case("colon-plus-number-is-default", "${v:+2}", {"v": "hello"}, want="hello"),
    Case("substr-extra-colon", "${v:1:2:3}", {"v": "hello"}, want="hello"),
    Case("length-counts-bytes", "${#v}", {"v": "héllo"}, want="6"),
    # case mapping is rune by rune, simple mappings (Go unicode.ToUpper/ToLower)
    Case("upper-sharp-s-unchanged", "${v^^}", {"v": "straße"}, want="STRAßE"),
    Case("lower-dotted-capital-i", "${v,,}", {"v": "İ"}, want="i"),
    Case("lower-final-sigma-not-special", "${v,,}", {"v": "ΟΔΟΣ"}, want="οδοσ"),
    # trim patterns: path.Match without the '/' rules; for % the pattern is reversed
    Case("trim-question-mark", "${v#?}", {"v": "/abc"}, want="abc"),
    Case("trim-class", "${v##[a-c]*}", {"v": "banana"}, want=""),
    Case("trim-escaped-star-prefix", r"${v#\*}", {"v": "*ab"}, want="ab"),
    Case("trim-escaped-star-suffix-broken", r"${v%\*}", {"v": "ab*"}, want="ab*"),
    Case("trim-suffix-class-broken", "${v%[0-9]}", {"v": "abc1"}, want="abc1"),
    Case("trim-bad-pattern-unchanged", "${v#[}", {"v": "[abc"}, want="[abc"),
    Case("trim-suffix-slash", "${v%/*}", {"v": "a/b/c"}, want="a/b"),
    Case("trim-longest-suffix-slash", "${v%%/*}", {"v": "a/b/c"}, want="a"),
    Case("trim-no-escapes-in-pattern", "${v#$$}", {"v": "$$x"}, want="x"),
    # replace: the pattern is a literal string, not a glob
    Case("replace-star-is-literal", "${v/*/x}", {"v": "a*b"}, want="axb"),
    Case("replace-all-dots", "${v//./-}", {"v": "1.2.3"}, want="1-2-3"),
    Case("replace-all-remove", "${v//a/}", {"v": "banana"}, want="bnn"),
    Case("replace-double-slash-delimiter", "${v/a//b}", {"v": "aa"}, want="ba"),
    Case("replace-prefix-one-arg-unchanged", "${v/#a/}", {"v": "abc"}, want="abc"),
    Case("replace-escaped-backslash", r"${v/\\/x}", {"v": "a\\b"}, want="axb"),
    Case("replace-escaped-dollar", "${v/$$/x}", {"v": "a$b"}, want="axb"),
    Case("replace-nested-empty-pattern", "${v/${p}/x}", {"v": "ab", "p": ""}, want="xab"),
    Case("replace-all-nested-empty-pattern", "${v//${p}/-}", {"v": "ab", "p": ""}, want="-a-b-"),
]

ALL_CASES = EVAL_TEST_GO + EVAL_TEST_GO_STRICT + CORNERS


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.id)
def test_envsubst(case: Case) -> None:
    if case.error is None:
        assert envsubst(case.text, case.vars, strict=case.strict) == case.want
    else:
        with pytest.raises(SubstitutionError) as info:
            envsubst(case.text, case.vars, strict=case.strict)
        assert info.value.message == case.error


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in ALL_CASES]
    assert len(ids) == len(set(ids))


# --- variable names: ^[_[:alpha:]][_[:alpha:][:digit:]]*$ with RE2's ASCII classes ---------

NAME_PATTERN_TEXT = "^[_[:alpha:]][_[:alpha:][:digit:]]*$"


@pytest.mark.parametrize("name", ["a", "_", "_1", "A_b9", "cluster_env", "X" * 200])
def test_valid_variable_names(name: str) -> None:
    assert VAR_NAME.match(name)
    check_variable_names({name: "v"})


@pytest.mark.parametrize(
    "name",
    ["1a", "my-var", "a.b", "é", "", "a\n", "a b", "\uff41", "a\u0663"],
    ids=[
        "leading-digit",
        "dash",
        "dot",
        "non-ascii-letter",
        "empty",
        "trailing-newline",
        "space",
        "fullwidth",
        "arabic-digit",
    ],
)
def test_invalid_variable_names(name: str) -> None:
    assert not VAR_NAME.match(name)
    with pytest.raises(SubstitutionError) as info:
        check_variable_names({"ok": "1", name: "v"})
    assert info.value.message == f"'{name}' var name is invalid, must match '{NAME_PATTERN_TEXT}'"


def test_first_bad_name_in_sorted_order() -> None:
    with pytest.raises(SubstitutionError) as info:
        check_variable_names({"z-z": "", "ok": "", "b-b": ""})
    assert info.value.message.startswith("'b-b' var name is invalid")


# --- values: strings.ReplaceAll(v, "\n", "") ---------------------------------------------


@pytest.mark.parametrize(
    ("raw", "want"),
    [("a\nb\n", "ab"), ("a\r\nb", "a\rb"), ("", ""), ("\n\n", ""), ("plain", "plain")],
)
def test_clean_value(raw: str, want: str) -> None:
    assert clean_value(raw) == want


# --- the substitute: disabled label or annotation (Go ==, case-sensitive) ------------------

KEY = "kustomize.toolkit.fluxcd.io/substitute"


@pytest.mark.parametrize(
    ("labels", "annotations", "want"),
    [
        ({KEY: "disabled"}, {}, True),
        ({}, {KEY: "disabled"}, True),
        ({KEY: "enabled"}, {KEY: "disabled"}, True),
        ({KEY: "Disabled"}, {}, False),
        ({}, {KEY: " disabled"}, False),
        ({}, {KEY: "DISABLED"}, False),
        ({"substitute": "disabled"}, {}, False),
        ({}, {}, False),
    ],
)
def test_is_substitution_disabled(
    labels: dict[str, str], annotations: dict[str, str], want: bool
) -> None:
    assert is_substitution_disabled(labels, annotations) is want


# --- one resource, as SubstituteVariables does it (kustomize_varsub_test.go + testdata) -----

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: apps
  labels:
    environment: ${cluster_env:=dev}
    region: ${cluster_region}
spec:
  selector:
    matchLabels:
      app: app
  template:
    metadata:
      annotations:
        prometheus.io/scrape: ${prometheus_scrape:=false}
        prometheus.io/port: ${prometheus_port}
      labels:
        app: app
    spec:
      containers:
      - name: nginx
        image: ${image}
"""

# testdata/kustomization_varsub.yaml (inline) merged over testdata/configmap.yaml
VARSUB_VARS = {
    "prometheus_scrape": '"true"',
    "prometheus_port": '"9797"',
    "image": "nginx:1.21.4",
    "cluster_env": "prod",
    "cluster_region": "eu-central-1",
}


def test_resource_varsub_expected() -> None:
    out = substitute_resource_text(DEPLOYMENT, VARSUB_VARS, strict=False)
    doc = yaml.safe_load(out)
    assert doc["metadata"]["labels"] == {"environment": "prod", "region": "eu-central-1"}
    assert doc["spec"]["template"]["metadata"]["annotations"] == {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": "9797",
    }
    assert doc["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.21.4"


STRICT_CONFIG = """\
apiVersion: v1
kind: ConfigMap
metadata:
  labels:
    environment: ${cluster_env:=dev}
    region: ${cluster_region}
  name: app-vars-strict
  namespace: apps
data:
  missing: ${missing}
"""


def test_resource_strict_missing_fails() -> None:
    with pytest.raises(SubstitutionError) as info:
        substitute_resource_text(STRICT_CONFIG, VARSUB_VARS, strict=True)
    assert info.value.message == (
        'envsubst error: variable substitution failed: variable not set (strict mode): "missing"'
    )
    assert info.value.hint


def test_resource_strict_off_missing_is_null() -> None:
    out = substitute_resource_text(STRICT_CONFIG, VARSUB_VARS, strict=False)
    assert yaml.safe_load(out)["data"] == {"missing": None}


def test_resource_strict_empty_values_are_set() -> None:
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n"
        "    from-inline: ${empty_inline}\n    from-configmap: ${empty_cm}\n"
        "    from-secret: ${empty_secret}\n  name: app-vars-strict-empty\n"
    )
    empty = {"empty_inline": "", "empty_cm": "", "empty_secret": ""}
    strict_out = substitute_resource_text(text, empty, strict=True)
    assert yaml.safe_load(strict_out)["metadata"]["labels"] == {
        "from-inline": None,
        "from-configmap": None,
        "from-secret": None,
    }
    assert substitute_resource_text(text, {"dummy": "x"}, strict=False) == strict_out


def test_resource_always_strategy_defaults() -> None:
    # substituteStrategy: Always with no variables: the caller calls us with an empty mapping.
    text = "metadata:\n  labels:\n    environment: ${cluster_env:=dev}\ndata:\n  region: ${cluster_region:=eu-central-1}\n"
    out = substitute_resource_text(text, {}, strict=True)
    assert out == "metadata:\n  labels:\n    environment: dev\ndata:\n  region: eu-central-1\n"


def test_replicas_default_becomes_an_int() -> None:
    out = substitute_resource_text("spec:\n  replicas: ${N:=1}\n", {}, strict=True)
    assert out == "spec:\n  replicas: 1\n"
    assert yaml.safe_load(out) == {"spec": {"replicas": 1}}


def test_resource_escape_and_plain_dollar() -> None:
    text = "data:\n  script: echo $HOME $${NOT_FLUX} ${V}\n"
    out = substitute_resource_text(text, {"V": "x"}, strict=True)
    assert out == "data:\n  script: echo $HOME ${NOT_FLUX} x\n"


@pytest.mark.parametrize(
    ("text", "variables"),
    [("value: ${VAR}\n", {"VAR": "["}), ("key: ${v}\n", {"v": "a: b"})],
    ids=["open-bracket", "nested-mapping"],
)
def test_resource_invalid_yaml_after_substitution(text: str, variables: dict[str, str]) -> None:
    with pytest.raises(SubstitutionError) as info:
        substitute_resource_text(text, variables, strict=False)
    assert info.value.message.startswith("envsubst error: YAMLToJSON: ")


def test_resource_bad_variable_name() -> None:
    with pytest.raises(SubstitutionError) as info:
        substitute_resource_text("a: ${b}\n", {"b": "1", "my-var": "x"}, strict=False)
    assert info.value.message == (
        f"envsubst error: 'my-var' var name is invalid, must match '{NAME_PATTERN_TEXT}'"
    )


def test_resource_parse_error_wording() -> None:
    with pytest.raises(SubstitutionError) as info:
        substitute_resource_text("value: '${'\n", {"V": "x"}, strict=False)
    assert info.value.message == (
        "envsubst error: variable substitution failed: unable to parse variable name"
    )
