//go:build tools

// Package tools pins the standalone kustomize that the engine tests compare with the bundled
// `kubectl kustomize` (scripts/build-go-tools.sh builds sigs.k8s.io/kustomize/kustomize/v5).
package tools

import _ "sigs.k8s.io/kustomize/kustomize/v5"
