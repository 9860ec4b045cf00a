"""klaster.reports: self-contained HTML report, result tables, map boundaries."""

from klaster.reports.geo import (
    builtin_geometry,
    decode_topojson,
    geometry_from_dict,
    load_geometry,
    pl_by_lt_geometry,
    pl_by_lt_notice,
    us_states_geometry,
    us_states_license,
    us_states_regions,
    us_states_table,
)
from klaster.reports.html import render_report, write_report
from klaster.reports.tables import write_table

__all__ = [
    "builtin_geometry",
    "decode_topojson",
    "geometry_from_dict",
    "load_geometry",
    "pl_by_lt_geometry",
    "pl_by_lt_notice",
    "render_report",
    "us_states_geometry",
    "us_states_license",
    "us_states_regions",
    "us_states_table",
    "write_report",
    "write_table",
]
