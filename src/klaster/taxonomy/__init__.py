"""klaster.taxonomy — industry codes, concordances, cluster definitions and regions.

Classifications are data: hierarchies and the US benchmark cluster definitions ship as
CSV tables in ``klaster/taxonomy/data`` (built by scripts/build_taxonomy_data.py; sources
in data/NOTICE). Every function takes and returns Polars DataFrames.
"""

from klaster.taxonomy.codes import (
    SYSTEMS,
    ancestors,
    hierarchy,
    level_of,
    load_hierarchy,
    normalise_code,
    normalise_column,
)
from klaster.taxonomy.concordance import compose, load_concordance
from klaster.taxonomy.definitions import (
    allocation_report,
    allocation_summary,
    allocation_totals,
    apply_definitions,
    check_definitions,
    load_definitions,
    translate_definitions,
    us_benchmark_definitions,
    us_benchmark_unmapped,
)
from klaster.taxonomy.nuts import (
    NUTS_VERSIONS,
    nuts2021_codes,
    nuts_changes,
    nuts_codes,
    nuts_recode_map,
    nuts_regions,
    recode_nuts,
)
from klaster.taxonomy.regions import (
    builtin_region_table,
    builtin_regions,
    load_regions,
    match_region_names,
    normalise_region_name,
    recode_region_names,
    recode_regions,
    us_states,
)

__all__ = [
    "NUTS_VERSIONS", "builtin_region_table", "builtin_regions", "match_region_names",
    "normalise_region_name", "nuts2021_codes", "nuts_changes", "nuts_codes",
    "nuts_recode_map", "nuts_regions", "recode_nuts", "recode_region_names",
    "SYSTEMS", "allocation_report", "allocation_summary", "allocation_totals", "ancestors",
    "apply_definitions", "check_definitions", "compose", "hierarchy", "level_of",
    "load_concordance", "load_definitions", "load_hierarchy", "load_regions",
    "normalise_code", "normalise_column", "recode_regions", "translate_definitions",
    "us_benchmark_definitions", "us_benchmark_unmapped", "us_states",
]
