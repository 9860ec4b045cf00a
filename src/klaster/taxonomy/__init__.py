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
        "BUILTIN_DEFINITIONS", "allocation_report", "allocation_summary", "allocation_totals",
        "apply_definitions", "builtin_definitions", "check_definitions", "code_level",
        "load_definitions", "other_level_report", "select_level", "translate_definitions",
        "us_benchmark_definitions", "us_benchmark_unmapped",
    ],
    "nace": [
        "nace_benchmark_definitions", "nace_benchmark_summary", "nace_benchmark_unmapped",
        "nace_classes", "nace_division_loss",
    ],
    "nuts": [
        "NUTS_VERSIONS", "nuts2021_codes", "nuts_changes", "nuts_codes", "nuts_recode_map",
        "nuts_regions", "recode_nuts",
    ],
    "regions": [
        "builtin_region_table", "builtin_regions", "load_regions", "match_region_names",
        "normalise_region_name", "recode_region_names", "recode_regions", "us_states",
    ],
})
