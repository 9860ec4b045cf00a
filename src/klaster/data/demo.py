"""Packaged demo data: County Business Patterns 2021, US states x 6-digit NAICS.

Built by scripts/build_demo_data.py from the US Census Bureau CBP 2021 extract (public
domain); see src/klaster/data/demo/NOTICE.md for coverage (no DC; LA, MO, OK and UT
partial).
"""

from __future__ import annotations

from importlib import resources

import polars as pl

from klaster.i18n import N_
from klaster.schema import STATS_SCHEMA

# Source line of the demo in reports (a catalogue message: translated where shown).
DEMO_SOURCE = N_("US Census Bureau, County Business Patterns 2021 (demo)")

_PACKAGE = "klaster.data"
_FILE = "demo/cbp2021_states.parquet"


def load_demo() -> pl.DataFrame:
    """Return the demo table: STATS_SCHEMA columns, year 2021, region = state postal code.

    37,022 rows (50 states, 6-digit NAICS 2017); payroll in USD 1,000.
    """
    ref = resources.files(_PACKAGE).joinpath(_FILE)
    with resources.as_file(ref) as path:
        table = pl.read_parquet(path)
    return table.select(list(STATS_SCHEMA)).cast(STATS_SCHEMA)


def demo_provenance() -> str:
    """The provenance and licence note of the demo data (NOTICE.md text)."""
    return resources.files(_PACKAGE).joinpath("demo/NOTICE.md").read_text(encoding="utf-8")
