"""Renders Flux Kustomizations with the real kustomize engine, as kustomize-controller does."""
