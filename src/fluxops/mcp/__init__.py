"""The MCP server (`fluxops mcp`): the verbs as Model Context Protocol tools for AI agents,
each a thin adapter over `fluxops.api` that returns the verb's JSON as structured content;
prompts that walk an agent through debugging a Kustomization or a HelmRelease; the lint rules'
documentation and the gitops skill as resources. Read-only: no tool writes to a cluster or a
repository. Responses are narrowed, paged and cut to a size limit (`fit`). Built on the
official `mcp` SDK, imported only when the server starts. See docs/mcp.md."""
