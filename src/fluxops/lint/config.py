"""`.fluxops.yaml` at the repository root: which rules run, at what severity, with which
thresholds, and which paths are ignored.

    lint:
      disable: [hr-chart-version]          # rule ids to turn off
      enable: [ks-interval]                # turn back on (after `disable: [all]`)
      severity: {ks-prune: error}          # error | warning | info
      options: {ks-interval: {max: 2h}}    # thresholds, see each rule's docs
      ignore: ["legacy/**", "*.sops.yaml"] # gitignore-style paths: no findings there

Unknown keys, unknown rule ids, unknown options and bad severities are errors (exit 2) naming
the file, so a typo never silently turns a rule off.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from fluxops.errors import UsageError
from fluxops.loader.yamlio import YamlParseError, load_documents
from fluxops.model.findings import Severity

CONFIG_FILE = ".fluxops.yaml"
_TOP = {"lint", "validate"}
_LINT_KEYS = {"disable", "enable", "severity", "options", "ignore"}


@dataclass
class LintConfig:
    disabled: set[str] = field(default_factory=set)
    severity: dict[str, Severity] = field(default_factory=dict)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    ignore: list[str] = field(default_factory=list)
    file: str | None = None


def _error(file: str, message: str) -> UsageError:
    return UsageError(message, file=file, hint="see docs/lint.md#configuration")


def _id_list(value: Any, file: str, key: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _error(file, f"lint.{key} must be a list of rule ids")
    return list(value)


def parse_config(
    text: str, file: str, rules: dict[str, dict[str, Any]], codes: Collection[str] = ()
) -> LintConfig:
    """Parse `.fluxops.yaml`; `rules` maps each rule id to its default options. `codes` are
    other finding codes that may be given a severity or disabled (e.g. lint-suppression)."""
    try:
        docs = load_documents(text)
    except YamlParseError as exc:
        raise _error(file, f"invalid YAML at line {exc.line}: {exc.message}") from None
    data = docs[0].value if docs else None
    if data is None:
        return LintConfig(file=file)
    if not isinstance(data, dict):
        raise _error(file, "expected a map with a `lint:` section")
    unknown = set(data) - _TOP
    if unknown:
        raise _error(file, f"unknown top-level keys: {', '.join(sorted(map(str, unknown)))}")
    lint = data.get("lint") or {}
    if not isinstance(lint, dict):
        raise _error(file, "`lint:` must be a map")
    unknown = set(lint) - _LINT_KEYS
    if unknown:
        raise _error(
            file,
            f"unknown keys under lint: {', '.join(sorted(map(str, unknown)))} "
            f"(known: {', '.join(sorted(_LINT_KEYS))})",
        )
    known = set(rules) | set(codes)

    def check_ids(ids: list[str], key: str) -> None:
        bad = [i for i in ids if i not in known and i != "all"]
        if bad:
            raise _error(
                file,
                f"unknown rule id{'s' if len(bad) > 1 else ''} in lint.{key}: {', '.join(bad)} "
                "(`fluxops lint --list-rules` shows them)",
            )

    config = LintConfig(file=file)
    disable = _id_list(lint.get("disable", []), file, "disable")
    enable = _id_list(lint.get("enable", []), file, "enable")
    check_ids(disable, "disable")
    check_ids(enable, "enable")
    config.disabled = set(known) if "all" in disable else set(disable)
    config.disabled -= set(known) if "all" in enable else set(enable)
    severity = lint.get("severity", {}) or {}
    if not isinstance(severity, dict):
        raise _error(file, "lint.severity must map rule ids to error|warning|info")
    check_ids([str(k) for k in severity], "severity")
    for rule_id, level in severity.items():
        try:
            config.severity[str(rule_id)] = Severity.parse(str(level))
        except ValueError as exc:
            raise _error(file, f"lint.severity.{rule_id}: {exc}") from None
    options = lint.get("options", {}) or {}
    if not isinstance(options, dict):
        raise _error(file, "lint.options must map rule ids to their options")
    check_ids([str(k) for k in options], "options")
    for rule_id, values in options.items():
        defaults = rules.get(str(rule_id), {})
        if not isinstance(values, dict):
            raise _error(file, f"lint.options.{rule_id} must be a map")
        bad = [k for k in values if k not in defaults]
        if bad:
            allowed = ", ".join(sorted(defaults)) or "none"
            raise _error(
                file,
                f"lint.options.{rule_id}: unknown option {', '.join(map(str, bad))} (known: {allowed})",
            )
        for key, value in values.items():
            default = defaults[key]
            if (
                isinstance(default, bool) != isinstance(value, bool)
                or (isinstance(default, int | float) and not isinstance(value, int | float))
                or (isinstance(default, str) and not isinstance(value, str))
            ):
                raise _error(
                    file,
                    f"lint.options.{rule_id}.{key}: expected a {type(default).__name__} "
                    f"like {default!r}, got {value!r}",
                )
        config.options[str(rule_id)] = dict(values)
    ignore = lint.get("ignore", []) or []
    if not isinstance(ignore, list) or not all(isinstance(i, str) for i in ignore):
        raise _error(file, "lint.ignore must be a list of path patterns")
    config.ignore = list(ignore)
    return config
