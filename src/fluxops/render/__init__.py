"""Renders Flux Kustomizations with the real kustomize engine, as kustomize-controller does.

`verb` runs `build` and holds what every rendering verb shares (selection rules, options);
`select` picks the roots (`--all`, `--ks`, environments); `build` (the Renderer) walks the
tree of Kustomizations in waves; `stage`, `workspace`, `generator`, `preflight` prepare one
confined build; `engine` and `sandbox` run kustomize (the only subprocesses); `postbuild`,
`varsub` and `envsubst/` apply Flux's post-build steps; `cache` keeps kustomize's output;
`outcome` gathers the run's result; `overlay` builds a plain kustomize folder.
"""
