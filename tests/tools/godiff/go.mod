module fluxops.test/tools/godiff

go 1.26.0

require (
	github.com/fluxcd/pkg/envsubst v1.7.1
	helm.sh/helm/v4 v4.2.2
)
