import pytest

from fluxops.loader.yamlio import YamlParseError, load_documents, load_single

pytestmark = pytest.mark.unit


def test_multi_document_stream_keeps_index_and_line() -> None:
    docs = load_documents("a: 1\n---\n# comment\nb: 2\n---\n")
    assert [d.value for d in docs] == [{"a": 1}, {"b": 2}, None]
    assert [d.index for d in docs] == [0, 1, 2]
    assert docs[1].line == 4


def test_redefined_anchor_is_accepted_like_go_yaml() -> None:
    docs = load_documents("a: &x 1\nb: *x\nc: &x 2\nd: *x\n")
    assert docs[0].value == {"a": 1, "b": 1, "c": 2, "d": 2}


def test_value_tag_equals_sign_reads_as_string() -> None:
    assert load_documents("matchType: =\n")[0].value == {"matchType": "="}
    assert load_single("matchType: =\n") == {"matchType": "="}


def test_custom_tags_keep_their_value() -> None:
    value = load_documents("a: !env_var FOO\nb: !custom {x: 1}\nc: !seq [1, 2]\n")[0].value
    assert value == {"a": "FOO", "b": {"x": 1}, "c": [1, 2]}


def test_top_level_list_is_a_document() -> None:
    assert load_documents("- a\n- b\n")[0].value == ["a", "b"]


def test_broken_yaml_raises_with_line() -> None:
    with pytest.raises(YamlParseError) as info:
        load_documents("a: 1\nb: [\nc: 2\n")
    assert info.value.line is not None and info.value.line >= 2


def test_yaml_1_1_octal_is_read_as_pyyaml_does() -> None:
    # kustomize reads 0775 as an int too; the loader must not turn it into a string.
    assert load_documents("mode: 0775\n")[0].value == {"mode": 509}
