"""A HelmRelease's values, composed exactly as helm-controller does before it calls Helm.

Source of truth: fluxcd/pkg `chartutil/values.go` (`ChartValuesFromReferences`,
`ReplacePathValue`) and `chartutil/merge.go` (`MergeMaps`), as used by helm-controller v2.

1. `result = {}`; each `valuesFrom` object (kind + name, in the HelmRelease namespace) is fetched
   once; `valuesKey` defaults to `values.yaml`; a missing object or key is skipped when the
   reference is `optional` (the code skips a missing key too, not only a missing object), and
   is an error otherwise.
2. With `targetPath`: `result = MergeMaps(result, spec.values)` first, then the value is set at
   the path with Helm's `--set` parser (`strvals.ParseInto`); a value wrapped in `'` or `"` has
   every leading/trailing quote trimmed and goes through `ParseIntoString`; `literal: true`
   escapes the value so it lands verbatim (`--set-literal` semantics, fluxcd/pkg#1218). The data
   is used as-is: a trailing newline (files turned into ConfigMaps) is part of the value and
   stops `3\\n` from becoming an integer.
3. Without `targetPath`: the data is read as a YAML map (Helm `ReadValues`: sigs.k8s.io/yaml,
   i.e. go-yaml v2 resolution, YAML 1.1 booleans `y/n/yes/no/on/off`, `0755` octal, `09` a
   number, timestamps stay strings, non-string keys become strings; see `go_yaml`) and merged.
4. `MergeMaps(result, spec.values)` last. `MergeMaps` merges maps recursively and replaces
   everything else (lists included); `null` is kept, not deleted, at this stage.

Go shares nested maps and lists between `result` and `spec.values` (MergeMaps copies only the
top level and the maps it merges), and the `--set` parser writes through that sharing. So the
documented "targetPath overwrites everything, including inline values" holds only sometimes:

- a write into a map (or a list element) that `result` took whole from `spec.values` changes
  `spec.values` too, and survives the final merge, even over later `valuesFrom` entries
  (fluxcd/pkg's own test "target path precedence over all" depends on this);
- a top-level `targetPath`, or one whose parent map an earlier `valuesFrom` entry had already
  created (so the merge made a fresh map), lands in `result` only, and the final merge puts the
  inline value back; a list grown by the `--set` parser is a new list and loses the same way.

This module reproduces that sharing on purpose.

Where `null` goes (three stages, three behaviours):

- Apply: `null` under `spec.values` is dropped on the way into the cluster (Flux applies with
  server-side apply; fluxcd/flux2#3298, kustomize-controller#372), so by default
  `compose_values` strips inline nulls. Nulls inside ConfigMap/Secret data survive.
- Composition (this module): nulls are values like any other (`MergeMaps`).
- Chart merge (Helm `CoalesceValues` at install/upgrade): a `null` deletes the key and the
  chart's default for it; see `coalesce_values` (exact, given the chart's values.yaml) and
  `remove_nulls` (the view without chart defaults).
"""

from __future__ import annotations

import base64
import binascii
import copy
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fluxops.errors import ValuesError
from fluxops.helmvalues.read import ValuesDataError, api_json, read_values
from fluxops.helmvalues.strvals import StrvalsError, parse_into, parse_path
from fluxops.helmvalues.tree import (
    Path,
    coalesce_values,
    leaves,
    merge_maps,
    merge_shared,
    remove_nulls,
    set_at,
    value_at,
)
from fluxops.helmvalues.valuediff import values_equal

__all__ = [
    "DEFAULT_VALUES_KEY",
    "ComposedValues",
    "Lookup",
    "ValuesReference",
    "coalesce_values",
    "compose_values",
    "merge_maps",
    "read_values",
    "remove_nulls",
    "values_references",
]

DEFAULT_VALUES_KEY = "values.yaml"
SUPPORTED_KINDS = ("ConfigMap", "Secret")

#: `lookup(kind, name)` returns the ConfigMap or Secret manifest (as in the repo, or as the API
#: server returns it), or None when no such object exists in the HelmRelease's namespace.
Lookup = Callable[[str, str], Mapping[str, Any] | None]

# The CRD's validation of targetPath (helm-controller api/v2 ValuesReference).
_TARGET_PATH = re.compile(r"^([a-zA-Z0-9_\-.\\/]|\[[0-9]{1,5}\])+$")
_TARGET_PATH_MAX = 250


@dataclass(frozen=True)
class ValuesReference:
    """One `spec.valuesFrom` entry of a HelmRelease."""

    kind: str
    name: str
    values_key: str = DEFAULT_VALUES_KEY
    target_path: str = ""
    optional: bool = False
    literal: bool = False

    @classmethod
    def from_spec(cls, entry: Mapping[str, Any]) -> ValuesReference:
        """Read a raw `valuesFrom` entry; an empty `valuesKey` means `values.yaml`."""

        def text(field: str) -> str:
            value = entry.get(field)
            return value if isinstance(value, str) else ""

        return cls(
            kind=text("kind"),
            name=text("name"),
            values_key=text("valuesKey") or DEFAULT_VALUES_KEY,
            target_path=text("targetPath"),
            optional=entry.get("optional") is True,
            literal=entry.get("literal") is True,
        )

    def __str__(self) -> str:
        return f"{self.kind}/{self.name} key {self.values_key!r}"


def values_references(values_from: Sequence[Any] | None) -> list[ValuesReference]:
    """`spec.valuesFrom` as `ValuesReference`s (entries that are not maps are skipped)."""
    return [ValuesReference.from_spec(e) for e in values_from or () if isinstance(e, Mapping)]


@dataclass(frozen=True)
class ComposedValues:
    """The values helm-controller would hand to Helm, with what is needed to mask secrets.

    `secret_paths` holds the paths (keys and list indexes) whose final value came from a
    Secret. `missing_optional` lists the optional references that were skipped.
    """

    values: dict[str, Any]
    secret_paths: frozenset[Path]
    missing_optional: tuple[ValuesReference, ...] = ()

    def is_secret(self, path: Sequence[str | int]) -> bool:
        """True when `path`, something above it, or something below it came from a Secret
        (a diff row for a whole list or map must be masked if any part of it is secret)."""
        p = tuple(path)
        for s in self.secret_paths:
            n = min(len(s), len(p))
            if s[:n] == p[:n]:
                return True
        return False

    def masked(self, mask: str = "***") -> dict[str, Any]:
        """A copy of `values` with every Secret-sourced value replaced by `mask`."""
        out = copy.deepcopy(self.values)
        for path in sorted(self.secret_paths, key=len):
            if path:
                set_at(out, path, mask)
        return out


# --- composition --------------------------------------------------------------------------------


def compose_values(
    values_from: Sequence[ValuesReference],
    inline_values: Mapping[str, Any] | None,
    lookup: Lookup,
    *,
    namespace: str = "",
    release: str = "",
    strip_inline_nulls: bool = True,
) -> ComposedValues:
    """`ChartValuesFromReferences`: compose `spec.valuesFrom` and `spec.values`.

    `namespace` and `release` (e.g. `HelmRelease apps/podinfo`) only name things in errors.
    `strip_inline_nulls` drops `null`s from `spec.values` as applying the HelmRelease does.
    Raises `ValuesError` where helm-controller would fail the reconciliation; messages never
    contain Secret data.
    """
    try:
        inline = api_json(inline_values or {}, strip_nulls=strip_inline_nulls, where="spec.values")
    except ValuesDataError as err:
        raise ValuesError(
            err.message,
            reason="values-read",
            obj=release or None,
            hint="spec.values must be plain JSON-compatible data",
        ) from None
    result: dict[str, Any] = {}
    fetched: dict[tuple[str, str], Mapping[str, Any] | None] = {}
    missing: list[ValuesReference] = []
    secret_records: list[tuple[Path, Any]] = []

    for ref in values_from:
        fail = _Failure(ref, namespace, release)
        if ref.kind not in SUPPORTED_KINDS:
            raise fail(
                "unsupported values reference kind",
                "unsupported-kind",
                "valuesFrom supports kind ConfigMap or Secret only",
            )
        if ref.target_path:
            _check_target_path(ref, fail)
        cache_key = (ref.kind, ref.name)
        first = cache_key not in fetched
        if first:
            fetched[cache_key] = lookup(ref.kind, ref.name)
        obj = fetched[cache_key]
        if obj is None:
            if ref.optional:
                missing.append(ref)
                continue
            plural = "configmaps" if ref.kind == "ConfigMap" else "secrets"
            raise fail(
                f'{plural} "{ref.name}" not found' if first else "resource not found",
                "resource-not-found",
                f"add the {ref.kind} '{ref.name}' to the HelmRelease's namespace"
                + (f" '{namespace}'" if namespace else "")
                + " (is its file part of this environment?), or mark the reference optional",
            )
        data = _object_data(obj, ref, fail)
        if data is None:
            if ref.optional:
                missing.append(ref)
                continue
            raise fail(
                "key not found",
                "key-not-found",
                f"add '{ref.values_key}' to the {ref.kind}'s data, or point valuesKey "
                "at a key it has",
            )
        secret = ref.kind == "Secret"

        if ref.target_path:
            result = merge_shared(result, inline)
            try:
                _replace_path_value(result, ref.target_path, data, literal=ref.literal)
            except StrvalsError as err:
                detail = "the value from the Secret does not parse" if secret else err.message
                raise fail(
                    detail,
                    "value-merge",
                    "targetPath takes Helm --set syntax: escape , . [ = with a backslash, "
                    "quote the value to keep it a string, or set literal: true to insert "
                    "it verbatim",
                ) from None
            if secret:
                # Everything this one --set line wrote (a value like "x,y=1" also sets "y").
                probe: dict[str, Any] = {}
                try:
                    _replace_path_value(probe, ref.target_path, data, literal=ref.literal)
                    paths = [path for path, _ in leaves(probe, (), into_lists=True)]
                except StrvalsError:
                    paths = [parse_path(ref.target_path)]
                secret_records.extend((path, value_at(result, path)) for path in paths)
            continue

        try:
            parsed = read_values(data)
        except ValuesDataError as err:
            detail = err.redacted if secret else err.message
            raise fail(
                f"failed to read values data: {detail}",
                "values-read",
                f"the data under '{ref.values_key}' must be a YAML map of values; "
                "to set a single value, add a targetPath",
            ) from None
        result = merge_shared(result, parsed)
        if secret:
            secret_records.extend(leaves(parsed, ()))

    final = copy.deepcopy(merge_shared(result, inline))
    secret_paths = frozenset(
        path for path, value in secret_records if values_equal(value_at(final, path), value)
    )
    return ComposedValues(final, secret_paths, tuple(missing))


class _Failure:
    """Builds the ValuesError for one reference, worded like fluxcd/pkg's ErrValuesReference."""

    def __init__(self, ref: ValuesReference, namespace: str, release: str) -> None:
        self.ref = ref
        self.name = f"{namespace}/{ref.name}" if namespace else ref.name
        self.release = release or None

    def __call__(self, detail: str, reason: str, hint: str) -> ValuesError:
        ref = self.ref
        optional = " optional" if ref.optional else ""
        kind = f" {ref.kind}" if ref.kind else ""
        message = (
            f"could not resolve{optional}{kind} chart values reference '{self.name}' "
            f"with key '{ref.values_key}': {detail}"
        )
        return ValuesError(message, reason=reason, obj=self.release, hint=hint)


def _check_target_path(ref: ValuesReference, fail: _Failure) -> None:
    path = ref.target_path
    if len(path) > _TARGET_PATH_MAX or not _TARGET_PATH.match(path):
        raise fail(
            f"targetPath {path!r} is not valid",
            "invalid-reference",
            "the API server rejects this HelmRelease: a targetPath is at most 250 characters of "
            r"letters, digits, _ - . \ / and [index]",
        )


def _object_data(obj: Mapping[str, Any], ref: ValuesReference, fail: _Failure) -> str | None:
    """The string under `valuesKey`, as the API server would present the object.

    Secrets: `stringData` is merged into `data` on write (and wins); `data` is base64.
    ConfigMaps: only `data` (helm-controller ignores `binaryData`).
    """
    key = ref.values_key
    if ref.kind == "Secret":
        if "sops" in obj:
            raise fail(
                "the Secret is SOPS-encrypted",
                "values-read",
                "decrypt it first (fluxops does not read encrypted values)",
            )
        string_data = obj.get("stringData")
        if isinstance(string_data, Mapping) and key in string_data:
            value = string_data[key]
            if not isinstance(value, str):
                raise fail(
                    "stringData value is not a string",
                    "values-read",
                    "quote the value: Secret stringData holds strings only",
                )
            return value
    data = obj.get("data")
    if not isinstance(data, Mapping) or key not in data:
        return None
    value = data[key]
    if not isinstance(value, str):
        raise fail(
            "data value is not a string",
            "values-read",
            f"quote the value: {ref.kind} data holds strings only",
        )
    if ref.kind == "ConfigMap":
        return value
    try:
        raw = base64.b64decode(value.replace("\n", "").replace("\r", ""), validate=True)
    except (binascii.Error, ValueError):
        raise fail(
            "data value is not valid base64",
            "values-read",
            "Secret data must be base64; use stringData for plain text",
        ) from None
    return raw.decode("utf-8", errors="replace")


def _replace_path_value(values: dict[str, Any], path: str, value: str, *, literal: bool) -> None:
    """fluxcd/pkg `ReplacePathValue` and, with `literal`, `ReplacePathLiteralValue`."""
    if literal:
        parse_into(f"{path}={value.translate(_LITERAL_ESCAPES)}", values, as_string=True)
        return
    single = value.startswith("'") and value.endswith("'")
    double = value.startswith('"') and value.endswith('"')
    if single or double:
        parse_into(f"{path}={value.strip(chr(39) + chr(34))}", values, as_string=True)
        return
    parse_into(f"{path}={value}", values)


_LITERAL_ESCAPES = str.maketrans({c: "\\" + c for c in "\\,[]{}"})
