"""Flux postBuild variable substitution, reimplemented to give Flux's output byte for byte.

The reference is the code Flux itself runs: `github.com/fluxcd/pkg/envsubst` v1.7.1 (a fork of
drone/envsubst) and `SubstituteVariables`/`varSubstitution` in `github.com/fluxcd/pkg/kustomize`
v1.35.6, the versions that flux2 v2.9.5 and kustomize-controller v1.9.5 are built with.

This module is the entry point: the postBuild rules (variable names, value cleaning, the
`substitute: disabled` gate, one resource's text) and `envsubst`, re-exported from the port in
`fluxops.render.envsubst`, whose docstring lists the behaviours that differ from bash.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from fluxops.errors import SubstitutionError
from fluxops.render.envsubst.evaluate import ERR_NOT_SET, envsubst

__all__ = [
    "DISABLED_VALUE",
    "SUBSTITUTE_KEY",
    "VAR_NAME",
    "VAR_NAME_PATTERN",
    "check_variable_names",
    "clean_value",
    "envsubst",
    "is_substitution_disabled",
    "substitute_resource_text",
]

SUBSTITUTE_KEY: Final = "kustomize.toolkit.fluxcd.io/substitute"
DISABLED_VALUE: Final = "disabled"

# The Go source text of the name rule, as Flux prints it in its error message.
VAR_NAME_PATTERN: Final = "^[_[:alpha:]][_[:alpha:][:digit:]]*$"
# The same rule in Python. RE2's [:alpha:] and [:digit:] are ASCII only, and RE2's `$` (without
# the m flag) matches only at the very end, so `\Z` is needed: Python's `$` would accept "a\n".
VAR_NAME: Final = re.compile(r"\A[_A-Za-z][_A-Za-z0-9]*\Z")

_STRICT_HINT = (
    "define the variable, give it a default (${name:=value}), write a literal as $${name}, "
    f"or label or annotate the resource {SUBSTITUTE_KEY}: {DISABLED_VALUE}"
)


def check_variable_names(variables: Mapping[str, str]) -> None:
    """Raise SubstitutionError if a variable name does not match `VAR_NAME_PATTERN`.

    Flux checks every key, whether it is referenced or not and whether it is inline or comes
    from a ConfigMap or Secret. It ranges over a Go map, so when several keys are bad it names
    one at random. Here the first bad key in sorted order is named, so the result does not
    change from run to run.
    """
    for name in sorted(variables):
        if not VAR_NAME.match(name):
            raise SubstitutionError(
                f"'{name}' var name is invalid, must match '{VAR_NAME_PATTERN}'",
                hint="variable names may use only ASCII letters, digits and '_', "
                "and may not start with a digit",
            )


def clean_value(value: str) -> str:
    """Strip newlines from a variable value, as LoadVariables and the inline `substitute` do.

    Flux calls `strings.ReplaceAll(v, "\\n", "")`, so only LF is removed. A CR stays:
    "a\\r\\nb" becomes "a\\rb".
    """
    return value.replace("\n", "")


def is_substitution_disabled(labels: Mapping[str, str], annotations: Mapping[str, str]) -> bool:
    """True when the label or the annotation `kustomize.toolkit.fluxcd.io/substitute` is
    exactly `disabled`. Flux compares with Go `==`: case-sensitive, no trimming."""
    return labels.get(SUBSTITUTE_KEY) == DISABLED_VALUE or (
        annotations.get(SUBSTITUTE_KEY) == DISABLED_VALUE
    )


def substitute_resource_text(
    text: str, variables: Mapping[str, str], *, strict: bool, validate: bool = True
) -> str:
    """What Flux's SubstituteVariables does to the YAML text of one resource.

    `text` is one resource rendered as YAML (Flux uses `res.AsYAML()`). `variables` are the
    merged variables, with their values already passed through `clean_value`.

    The caller must run the gate checks first. This function does not repeat them:
      * skip the resource if `is_substitution_disabled(labels, annotations)` is true;
      * skip substitution unless `len(variables) > 0` or `substituteStrategy` is `Always`.
        With the default strategy and no variables, `${x:=default}` stays as it is.

    Then, as Flux's `varSubstitution` does, this function:
      1. validates every variable name (`check_variable_names`);
      2. evaluates the text (`envsubst`);
      3. checks that the result is valid YAML. Flux runs `yaml.YAMLToJSON`; so does this
         function (`fluxops.goyaml.load`), and the caller parses the returned text again.
    Returns the substituted text. Errors use Flux's wording: "envsubst error: ..." followed by
    "'<k>' var name is invalid, ...", "variable substitution failed: ..." or "YAMLToJSON: ...".
    """
    try:
        check_variable_names(variables)
    except SubstitutionError as exc:
        raise SubstitutionError(f"envsubst error: {exc.message}", hint=exc.hint) from None
    try:
        output = envsubst(text, variables, strict=strict)
    except SubstitutionError as exc:
        hint = _STRICT_HINT if exc.message.startswith(ERR_NOT_SET) else None
        raise SubstitutionError(
            f"envsubst error: variable substitution failed: {exc.message}", hint=hint
        ) from None
    if output == text or not validate:
        return output
    # Imported here, not at the top: only this check needs PyYAML, and importing it costs
    # more than the rest of the module (callers that parse the result have it loaded anyway).
    import yaml

    from fluxops.goyaml import load

    try:
        load(output)
    except yaml.YAMLError as exc:
        raise SubstitutionError(
            f"envsubst error: YAMLToJSON: {exc}",
            hint="a substituted value made the YAML invalid; quote the ${...} expression "
            "or the value",
        ) from None
    return output
