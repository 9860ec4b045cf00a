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

from klaster.networks.io import read_registry, write_registry
from klaster.networks.layout import network_layout
from klaster.networks.metrics import (
    CLUSTER_METRICS_SCHEMA,
    MIX_COLUMNS,
    betweenness_centrality,
    build_graph,
    cluster_metrics,
    organisation_centrality,
    registry_years,
)
from klaster.networks.ties import (
    CLUSTER_TIE_TYPES,
    ORG_TIE_TYPES,
    cluster_ties,
    organisation_ties,
)

__all__ = [
    "CLUSTER_METRICS_SCHEMA", "CLUSTER_TIE_TYPES", "MIX_COLUMNS", "ORG_TIE_TYPES",
    "betweenness_centrality", "build_graph", "cluster_metrics", "cluster_ties", "network_layout",
    "organisation_centrality", "organisation_ties", "read_registry", "registry_years",
    "write_registry",
]
