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
    BUILTIN_DEFINITIONS,
    allocation_report,
    allocation_summary,
    allocation_totals,
    apply_definitions,
    builtin_definitions,
    check_definitions,
    code_level,
    load_definitions,
    other_level_report,
    select_level,
    translate_definitions,
    us_benchmark_definitions,
    us_benchmark_unmapped,
)
from klaster.taxonomy.nace import (
    nace_benchmark_definitions,
    nace_benchmark_summary,
    nace_benchmark_unmapped,
    nace_classes,
    nace_division_loss,
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
    "BUILTIN_DEFINITIONS", "SYSTEMS", "builtin_definitions", "code_level", "allocation_report", "allocation_summary", "allocation_totals", "ancestors",
    "apply_definitions", "check_definitions", "compose", "hierarchy", "level_of",
    "load_concordance", "load_definitions", "load_hierarchy", "load_regions",
    "nace_benchmark_definitions", "nace_benchmark_summary", "nace_benchmark_unmapped",
    "nace_classes", "nace_division_loss", "normalise_code", "normalise_column",
    "other_level_report", "recode_regions", "select_level", "translate_definitions",
    "us_benchmark_definitions", "us_benchmark_unmapped", "us_states",
]
