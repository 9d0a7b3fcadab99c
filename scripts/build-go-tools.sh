#!/usr/bin/env bash
# Builds the Go test tools (the kube-apiserver harness, the flux CLI, standalone kustomize, and
# the small decoders and differential oracles under tests/tools) from their Go modules
# under tests/, each only when its inputs changed. Binaries go to a cache directory outside the
# repo: $FLUXOPS_TOOLS_DIR, default ~/.cache/fluxops/tools/<tool>-<hash>/<tool>.
# Usage: scripts/build-go-tools.sh [TOOL...]   (default: every tool listed below)
set -euo pipefail
cd "$(dirname "$0")/.."

# tool name | module dir | package to build (relative to the module)
# A module dir may hold an executable goflags.sh: it gets a scratch dir as $1 and prints extra
# `go build` flags, one per line (a later -ldflags replaces the default "-s -w").
TOOLS=(
  "kube-testcluster|tests/cluster/apiserver|."
  "flux|tests/fidelity/fluxcli|github.com/fluxcd/flux2/v2/cmd/flux"
  "kustomize|tests/engine/kustomize|sigs.k8s.io/kustomize/kustomize/v5"
  "goyamldecode|tests/tools/goyamldecode|."
  "godiff|tests/tools/godiff|."
)

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=mod
cache="${FLUXOPS_TOOLS_DIR:-$HOME/.cache/fluxops/tools}"
mkdir -p "$cache"

want=("$@")
for entry in "${TOOLS[@]}"; do
  IFS='|' read -r tool dir pkg <<<"$entry"
  if [ ${#want[@]} -gt 0 ] && [[ ! " ${want[*]} " == *" $tool "* ]]; then continue; fi
  hash=$( (go version; find "$dir" -type f \( -name '*.go' -o -name go.mod -o -name go.sum -o -name goflags.sh \) -print0 \
            | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16)
  out="$cache/$tool-$hash/$tool"
  if [ -x "$out" ]; then
    echo "build-go-tools: $tool is up to date ($out)"
  else
    echo "build-go-tools: building $tool from $dir (cold builds take tens of minutes on 2 cores)"
    start=$(date +%s)
    mkdir -p "$(dirname "$out")"
    extra=()
    if [ -x "$dir/goflags.sh" ]; then
      flags=$(cd "$dir" && ./goflags.sh "$(dirname "$out")/scratch")
      mapfile -t extra <<<"$flags"
    fi
    (cd "$dir" && go build -trimpath -ldflags "-s -w" "${extra[@]}" -o "$out.tmp" "$pkg")
    mv "$out.tmp" "$out"
    echo "build-go-tools: built $tool in $(( $(date +%s) - start ))s"
  fi
  ln -sfn "$out" "$cache/$tool"
done
