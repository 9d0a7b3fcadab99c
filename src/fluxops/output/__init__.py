"""Renderers: result objects in, text out. One result model, many formats.

`registry` is the interface (a formatter per result kind and format, chosen by name); one
module per kind of result registers its formatters (`build`, `reports` for validate and lint,
`values_diff`, `drift`, `status` and `status_text`, `snapshot`); `findings` renders findings as
text, JSON, SARIF and GitHub annotations; `escape` and `masking` keep control characters and
Secret values out of every format.
"""
