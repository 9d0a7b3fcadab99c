"""Flux's envsubst (`github.com/fluxcd/pkg/envsubst` v1.7.1, a fork of drone/envsubst),
reimplemented to give its output byte for byte. `fluxops.render.varsub` is the entry point.

This is not bash, and it is not what the envsubst README says. These behaviours come from the
code, and this package keeps them:

* Only `${` opens an expression. A plain `$var` is text. `$$` becomes `$` anywhere in plain text,
  so `$${x}` gives the literal `${x}`. A NUL character ends the input, as end of file does in
  the Go scanner, and everything after it is dropped.
* A name inside `${}` is one or more Unicode letters, digits or `_` (a leading digit is allowed).
  The names of the supplied variables must still match the stricter ASCII rule in
  `fluxops.render.varsub.VAR_NAME`.
* Operators are recognised only right after the name: `:` (substring, or `:=` `:-` `:?` `:+`),
  `=`, `,` `^` (case), `/` (replace), `#` and `%` (trim). `${v-d}`, `${v+d}` and `${v?d}` do not
  parse; they fail with "missing closing brace".
* Every default-style operator applies its default when the value is EMPTY, set or not. None of
  them assigns, and `:+` gives the value, not the alternative.
* `/pat/rep` and its variants take `pat` as a literal string, not a glob. `#`, `##`, `%` and `%%`
  use Flux's copy of Go's `path.Match`, in which `*` and `?` also match `/`. For `%` and `%%`,
  Flux reverses both the value and the pattern, by runes, before matching.
* `\\/` and `\\\\` are escapes only inside the pattern and replacement of `/`. `$$` is an escape
  there too, but not in default values, and not in `#`/`%` patterns.
* Lengths and offsets (`${#v}`, `${v:n:len}`) count UTF-8 bytes, as Go's `len` does.
  Upper- and lower-casing map one rune to one rune (Go's `unicode.ToUpper`/`ToLower`).
* Strict mode: a missing variable is an error unless its operator is one of the default
  operators. A variable that is set but empty is never an error. In non-strict mode a missing
  variable is the empty string.

The package works on UTF-8 bytes throughout, as the Go code does. Strings that are not valid
UTF-8 (only reachable through surrogate-escaped `str`) go through as Go would pass them.

- `unicode`: Go's UTF-8 decoding and the `unicode` predicates and case mappings it needs.
- `scan`: the scanner (`envsubst/parse/scan.go`) and the rune filters the parser hands it.
- `parse`: the parser (`envsubst/parse/parse.go`), its node types and its error messages.
- `evaluate`: `envsubst()`, the evaluator (`envsubst/template.go`).
- `funcs`: the string operations behind the operators (`envsubst/funcs.go`).
- `match`: Flux's copy of Go's `path.Match` (`envsubst/path/match.go`), for `#` and `%`.
"""
