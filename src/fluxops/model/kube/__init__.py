"""Kubernetes value semantics, pure functions over plain data: quantities, scalar equality as
the API server normalises it, label selectors, field paths and JSON pointers, the
merge-strategy tree of a structural schema."""
