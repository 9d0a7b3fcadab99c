// godiff: the Go originals of the parsers fluxops reimplements, for its differential tests.
// Versions are those of flux v2.9.5 (tests/fidelity/fluxcli/go.mod): envsubst as
// kustomize-controller substitutes, strvals as helm-controller (Helm v4) sets valuesFrom
// targetPath, time.ParseDuration from the Go toolchain that builds this.
module fluxops.test/tools/godiff

go 1.26.0

require (
	github.com/fluxcd/pkg/envsubst v1.7.1
	helm.sh/helm/v4 v4.2.2
)

require (
	go.yaml.in/yaml/v2 v2.4.3 // indirect
	sigs.k8s.io/yaml v1.6.0 // indirect
)
