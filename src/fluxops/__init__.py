"""fluxops: render, validate, lint and inspect Flux CD GitOps repositories."""

__version__ = "0.1.0"
