"""klaster.data — loaders that produce the canonical statistics table (STATS_SCHEMA).

Every loader returns the table plus an IssueLog of written warnings; bad input raises
DataError naming file, line and field. See docs/data.md.
"""

from klaster.data.cbp import load_cbp
from klaster.data.demo import demo_provenance, load_demo
from klaster.data.eurostat import load_eurostat_tsv
from klaster.data.fetch import FetchError, fetch_cbp, fetch_eurostat, fetch_gisco
from klaster.data.generic import LoadResult, load_table
from klaster.data.impute import impute_eco, missing_report
from klaster.data.validate import validate_stats

__all__ = [
    "FetchError", "LoadResult", "demo_provenance", "fetch_cbp", "fetch_eurostat", "fetch_gisco",
    "impute_eco", "load_cbp", "load_demo", "load_eurostat_tsv", "load_table",
    "missing_report", "validate_stats",
]
