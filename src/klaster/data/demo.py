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


# ---- the EU demo: Eurostat regional SBS, EU28 NUTS 2 x NACE divisions, 2008-2015 --------

# Source line of the EU demo in reports (a catalogue message).
EU_DEMO_SOURCE = N_("Eurostat, structural business statistics by NUTS 2 region "
                    "(sbs_r_nuts06_r2), EU28, 2008–2015 (demo)")
EU_DEMO_REGION = "PL84"   # Podlaskie (PL34 in the data's NUTS 2013): profiled first
EU_DEMO_DEFINITIONS = "nace-division"
_EU_FILE = "demo/eurostat_sbs_nuts2.parquet"


def load_demo_eu_raw() -> pl.DataFrame:
    """The shipped EU demo table as published: STATS_SCHEMA columns, NUTS 2 codes of the
    2006/2010/2013 vintages side by side (Podlaskie = PL34), 2-digit NACE divisions,
    employment = persons employed (V16110), establishments = local units (V11210),
    payroll null, Eurostat flags kept. Built by scripts/build_demo_eu_data.py."""
    ref = resources.files(_PACKAGE).joinpath(_EU_FILE)
    with resources.as_file(ref) as path:
        table = pl.read_parquet(path)
    return table.select(list(STATS_SCHEMA)).cast(STATS_SCHEMA)


def load_demo_eu(issues=None) -> pl.DataFrame:
    """The EU demo table recoded to NUTS 2021 (klaster.taxonomy.recode_nuts: PL34 ->
    PL84, PL12 kept whole as "PL91+PL92", merged regions summed), so that one region has
    one code over 2008-2015 and the Polish voivodeships meet the built-in pl-by-lt
    boundaries (eu_demo_regions). Every recoding is written to ``issues`` (an IssueLog)."""
    from klaster.taxonomy.nuts import recode_nuts

    return recode_nuts(load_demo_eu_raw(), 2021, issues=issues, source=_EU_FILE)


def eu_demo_regions(codes) -> pl.DataFrame:
    """Region table (REGIONS_SCHEMA) for the EU demo's NUTS 2021 codes: Latin NUTS names
    (klaster.taxonomy.nuts_regions); Poland's voivodeships get the ISO 3166-2 code of the
    built-in pl-by-lt boundaries as geo_id (PL84 -> PL-PD, PL91+PL92 -> PL-MZ), so the map
    draws them; other regions have no shape there and stay in the tables."""
    from klaster.taxonomy.nuts import nuts_regions
    from klaster.taxonomy.regions import builtin_region_table

    pl_table = builtin_region_table("pl").filter(pl.col("nuts2021").is_not_null())
    iso = dict(zip(pl_table["nuts2021"].to_list(), pl_table["region"].to_list()))
    table = nuts_regions(list(codes))
    return table.with_columns(
        pl.col("region").replace_strict(iso, default=None).fill_null(pl.col("geo_id"))
        .alias("geo_id"))


def eu_demo_provenance() -> str:
    """The provenance and licence note of the EU demo data."""
    return resources.files(_PACKAGE).joinpath("demo/NOTICE_eurostat.md").read_text(
        encoding="utf-8")
