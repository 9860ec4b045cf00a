"""klaster.data — loaders that produce the canonical statistics table (STATS_SCHEMA).

Every loader returns the table plus an IssueLog of written warnings; bad input raises
DataError naming file, line and field. See docs/data.md.
"""

# Names load on first use (klaster._lazy): importing the package stays cheap, so a
# command pays only for the modules it runs.
from klaster._lazy import attach

__all__ = attach(__name__, {
    "cbp": ["load_cbp"],
    "demo": ["demo_provenance", "load_demo"],
    "eurostat": ["load_eurostat_tsv"],
    "fetch": ["FetchError", "fetch_cbp", "fetch_eurostat", "fetch_gisco"],
    "generic": ["LoadResult", "load_table"],
    "impute": ["impute_eco", "missing_report"],
    "validate": ["validate_stats"],
})
