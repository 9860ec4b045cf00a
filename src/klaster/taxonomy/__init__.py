"""klaster.taxonomy — industry codes, concordances, cluster definitions and regions.

Classifications are data: hierarchies and the US benchmark cluster definitions ship as
CSV tables in ``klaster/taxonomy/data`` (built by scripts/build_taxonomy_data.py; sources
in data/NOTICE). Every function takes and returns Polars DataFrames.
"""

# Names load on first use (klaster._lazy): importing the package stays cheap, so a
# command pays only for the modules it runs.
from klaster._lazy import attach

__all__ = attach(__name__, {
    "codes": [
        "SYSTEMS", "ancestors", "hierarchy", "level_of", "load_hierarchy", "normalise_code",
        "normalise_column",
    ],
    "concordance": ["compose", "load_concordance"],
    "definitions": [
        "allocation_report", "allocation_summary", "allocation_totals", "apply_definitions",
        "check_definitions", "load_definitions", "translate_definitions",
        "us_benchmark_definitions", "us_benchmark_unmapped",
    ],
    "regions": ["load_regions", "recode_regions", "us_states"],
})
