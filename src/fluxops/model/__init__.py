"""Pure data: identities, resources with their origin, typed Flux views, graphs, findings."""
