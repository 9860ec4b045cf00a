"""klaster.networks — collaboration networks of the cluster registry.

Public API (definitions and citations in docs/networks.md):

* :func:`organisation_ties` / :func:`cluster_ties` — typed, weighted ties by year
* :func:`cluster_metrics` — density, components, centralities, bridges, triple-helix mix
  per cluster and year
* :func:`betweenness_centrality` — exact normalised betweenness of a networkx graph,
  computed by rustworkx (compiled)
* :func:`organisation_centrality` — degree, betweenness, Burt's constraint, participation
  (bridging) per organisation
* :func:`network_layout` — positions for drawing up to thousands of nodes
* :func:`read_registry` / :func:`write_registry` — a registry export directory
"""

# Names load on first use (klaster._lazy): importing the package stays cheap, so a
# command pays only for the modules it runs.
from klaster._lazy import attach

__all__ = attach(__name__, {
    "io": ["read_registry", "write_registry"],
    "layout": ["network_layout"],
    "metrics": [
        "CLUSTER_METRICS_SCHEMA", "MIX_COLUMNS", "betweenness_centrality", "build_graph",
        "cluster_metrics", "organisation_centrality", "registry_years",
    ],
    "ties": ["CLUSTER_TIE_TYPES", "ORG_TIE_TYPES", "cluster_ties", "organisation_ties"],
})
