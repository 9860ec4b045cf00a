"""klaster.reports: self-contained HTML report, result tables, map boundaries."""

# Names load on first use (klaster._lazy): importing the package stays cheap, so a
# command pays only for the modules it runs.
from klaster._lazy import attach

__all__ = attach(__name__, {
    "geo": [
        "builtin_geometry", "decode_topojson", "geometry_from_dict", "load_geometry",
        "pl_by_lt_geometry", "pl_by_lt_notice", "us_states_geometry", "us_states_license",
        "us_states_regions", "us_states_table",
    ],
    "html": ["render_report", "write_report"],
    "tables": ["write_table"],
})
