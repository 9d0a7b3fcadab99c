#!/usr/bin/env bash
# Extra `go build` flags for the flux CLI, one per line; called by scripts/build-go-tools.sh from
# this directory with a scratch directory as $1 (next to the binary, outside the repo).
#
# 1. -ldflags: as flux2's .goreleaser.yml does (`-s -w -X main.VERSION={{ .Version }}`, the
#    version without its "v"), so `flux version --client` reports the release pinned in go.mod.
# 2. cmd/flux embeds `manifests/*.yaml` (//go:embed). flux2's Makefile generates those files with
#    `kustomize build` from controller release assets on GitHub, so the module zip has none and a
#    plain `go build github.com/fluxcd/flux2/v2/cmd/flux` fails with
#    "pattern manifests/*.yaml: no matching files found". `-overlay` cannot add the file either
#    ("Files beneath GOMODCACHE must not be replaced"). So we copy the checksum-verified module
#    from the module cache into the scratch dir, add one placeholder manifest, and build against
#    that copy through an alternate go.mod (-modfile): this module's go.mod plus one directory
#    replace; the alternate go.sum is this module's go.sum. Only `flux install` and
#    `flux bootstrap` (without --manifests) read the embedded manifests; `flux build` and
#    `flux diff` never do.
set -euo pipefail
scratch=${1:?usage: goflags.sh SCRATCH_DIR}
mod=github.com/fluxcd/flux2/v2

version=$(go list -m -f '{{.Version}}' "$mod")
go mod download "$mod" # verifies the zip against go.sum
moddir=$(go list -m -f '{{.Dir}}' "$mod")

rm -rf "$scratch"
mkdir -p "$scratch"
src="$scratch/flux2-${version}"
cp -R "$moddir" "$src"
chmod -R u+w "$src"
mkdir -p "$src/cmd/flux/manifests"
cat >"$src/cmd/flux/manifests/fluxops-placeholder.yaml" <<'EOF'
# fluxops test build of the flux CLI: the install manifests are NOT embedded (flux2 builds them
# from GitHub release assets, out of reach on the test machines). `flux install` and
# `flux bootstrap` need --manifests with this binary; `flux build` and `flux diff` are unaffected.
EOF

cp go.mod "$scratch/fluxcli.mod"
printf '\nreplace %s => %s\n' "$mod" "$src" >>"$scratch/fluxcli.mod"
cp go.sum "$scratch/fluxcli.sum"

echo "-ldflags=-s -w -X main.VERSION=${version#v}"
echo "-modfile=$scratch/fluxcli.mod"
