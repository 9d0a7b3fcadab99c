"""The live cluster: read and dry-run-apply objects through the Kubernetes API.

The only network code in fluxops. `fluxops.cluster.client.connect()` returns a `ClusterClient`
(list with paging, get, server-side apply dry run, discovery of served and preferred versions,
the Flux API versions). lightkube is imported lazily, inside the functions that talk to a
server, so importing this package stays cheap. Failures become `fluxops.errors.ClusterError`
(`ForbiddenError` for RBAC refusals) naming the server, the kind and namespace, and what to do.
"""
