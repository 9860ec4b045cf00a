"""US benchmark clusters carried to NACE Rev.2 (and so PKD 2007 and OKED).

The European Cluster Observatory built its cluster categories for Europe from the US
benchmark definitions through a NAICS -> NACE concordance (Ketels & Protsiv 2014,
"Methodology and findings report for a cluster mapping of related sectors", European
Cluster Observatory). klaster does the same with public, reproducible inputs:

1. NAICS 2017 -> ISIC Rev.4 class: the US Census Bureau concordance. A NAICS code
   linked to m ISIC classes passes 1/m of its US employment (CBP 2021) to each.
2. ISIC class cluster shares: the employment-weighted mean of the cluster shares of the
   clustered NAICS codes that reach it (:func:`carry_to_isic`), so a class that pools
   US industries of several clusters is split in proportion to their US employment.
3. NACE Rev.2 class: every NACE class lies inside exactly one ISIC class (Eurostat's
   "Reference to ISIC Rev. 4"); it takes that class's shares (:func:`isic_to_nace`).
   NACE and ISIC class *codes* differ in 329 of 615 classes: see docs/taxonomy.md.
4. NACE division (= ISIC division): the employment-weighted mean over its ISIC classes
   (:func:`to_divisions`).

The derived tables ship in ``klaster/taxonomy/data`` (scripts/build_nace_definitions.py
rebuilds them from ../shared/data); this module reads them and holds the allocation
formulas the script uses.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Literal

import polars as pl

from klaster.errors import DataError
from klaster.schema import DEFINITIONS_SCHEMA

NaceLevel = Literal["class", "division"]
NACE_LEVELS: tuple[str, ...] = ("class", "division")
_DEF_COLS = tuple(DEFINITIONS_SCHEMA)
_CLUSTER_COLS = ("cluster", "cluster_name", "cluster_type", "subcluster")


@lru_cache(maxsize=None)
def _read(name: str) -> pl.DataFrame:
    ref = resources.files("klaster.taxonomy") / "data" / name
    with resources.as_file(ref) as path:
        return pl.read_csv(path, infer_schema=False)


def _check_level(level: str) -> None:
    if level not in NACE_LEVELS:
        raise DataError(f"no NACE benchmark definitions at level {level!r}; "
                        f"available: {', '.join(NACE_LEVELS)}", field="level")


def nace_benchmark_definitions(level: NaceLevel = "class", *, titles: bool = False
                               ) -> pl.DataFrame:
    """US benchmark clusters (Delgado, Porter & Stern 2016) on NACE Rev.2 codes.

    ``level``: "class" (4-digit codes such as "2562"; PKD 2007 "25.62.Z" and OKED
    "25620" normalise to them) or "division" (2-digit, what Eurostat regional SBS and
    Belstat publish). Shares per code sum to 1 (US-employment weighted, see the module
    docstring and docs/taxonomy.md). Returns DEFINITIONS_SCHEMA, plus
    ``industry_title`` (NACE title) when ``titles`` is true.
    """
    _check_level(level)
    df = _read("nace_benchmark_definitions.csv").filter(pl.col("level") == level)
    cols = list(_DEF_COLS) + (["industry_title"] if titles else [])
    return df.with_columns(pl.col("share").cast(pl.Float64)).select(cols).cast(
        DEFINITIONS_SCHEMA)


def nace_benchmark_unmapped(level: NaceLevel = "class") -> pl.DataFrame:
    """NACE codes of ``level`` in no benchmark cluster (industry, industry_title, reason).

    Mostly agriculture, public administration, households and extraterritorial bodies,
    which the US benchmark leaves out.
    """
    _check_level(level)
    return (_read("nace_benchmark_unmapped.csv").filter(pl.col("level") == level)
            .select("industry", "industry_title", "reason"))


def nace_division_loss() -> pl.DataFrame:
    """What division-level definitions lose against class level, measured on CBP 2021.

    One row per cluster plus a row with cluster "all": cluster, cluster_name,
    employment (US, CBP 2021), shared_division_share (part of the cluster's employment
    whose codes sit in divisions shared with other clusters), moved_class_share and
    moved_division_share (part of the cluster's employment that the class- resp.
    division-level route puts in another cluster within a state, compared with the NAICS
    route; summed over the 50 states: sum |difference| / sum NAICS-route employment).
    Built by scripts/build_nace_definitions.py; see docs/taxonomy.md.
    """
    df = _read("nace_division_loss.csv")
    return df.with_columns(pl.col(c).cast(pl.Float64) for c in (
        "employment", "shared_division_share", "moved_class_share", "moved_division_share"))


def nace_benchmark_summary(level: NaceLevel = "class") -> dict:
    """Counts and US employment (CBP 2021 converted to NACE) of the ``level`` table.

    Keys: codes, split_codes (codes in several clusters), cbp_employment,
    cbp_split_employment, cbp_split_codes, cbp_unmapped_employment, cbp_unmapped_codes
    (as :func:`klaster.taxonomy.allocation_totals` on the converted CBP table), and
    cbp_off_main_employment (employment sent to clusters other than each code's
    largest: sum over codes of employment x (1 - largest share)).
    """
    _check_level(level)
    row = _read("nace_benchmark_summary.csv").filter(pl.col("level") == level).row(
        0, named=True)
    return {k: (float(v) if "employment" in k else int(v)) for k, v in row.items()
            if k != "level"}


def nace_classes() -> pl.DataFrame:
    """The 615 NACE Rev.2 classes with their ISIC Rev.4 class: code, isic4, title.

    From Eurostat's NACE Rev.2 structure ("Reference to ISIC Rev. 4"). Each NACE class
    lies in one ISIC class; 107 ISIC classes are split into several NACE classes, and in
    49 cases a NACE class has the code of a *different* ISIC class (e.g. NACE 25.92
    light metal packaging is in ISIC 2599; ISIC 2592 is NACE 25.61 + 25.62).
    """
    return _read("nace2_classes.csv").clone()


# --- the carry-over (used by scripts/build_nace_definitions.py and tested) ---------------

def isic_links(concordance: pl.DataFrame, isic_classes: list[str] | set[str]
               ) -> pl.DataFrame:
    """NAICS 2017 -> ISIC Rev.4 class links from the Census concordance table.

    ``concordance``: the Census file's columns naics2017, isic4 and notes (text). The file
    drops ISIC leading zeros ("111" is class 0111), and links four NAICS codes to ISIC
    groups, marked "ISIC group level link" in the notes ("12" = group 012, "331" = group
    331); a group link becomes a link to each class of the group. Rows with NAICS "0"
    (ISIC 9810/9820, households for own use) have no NAICS code and are dropped.
    Returns distinct pairs naics, isic (4-digit ISIC classes).
    """
    classes = sorted(isic_classes)
    notes = (pl.col("notes") if "notes" in concordance.columns else pl.lit(None, pl.Utf8))
    pairs = concordance.select(
        pl.col("naics2017").str.strip_chars().alias("naics"),
        pl.col("isic4").str.strip_chars().alias("isic"),
        notes.fill_null("").str.contains("(?i)ISIC group level link").alias("group"),
    ).filter(pl.col("naics").str.len_chars() == 6)
    rows = []
    for naics, isic, group in pairs.iter_rows():
        if not isic.isdigit() or not 2 <= len(isic) <= 4 or (group and len(isic) == 4):
            raise DataError(f"ISIC code {isic!r} (NAICS {naics}) is not a class or group",
                            field="isic4")
        if group:
            code = isic.zfill(3)
            members = [c for c in classes if c.startswith(code)]
            if not members:
                raise DataError(f"ISIC group {code} has no class", field="isic4")
            rows += [(naics, c) for c in members]
        else:
            rows.append((naics, isic.zfill(4)))
    out = pl.DataFrame(rows, schema={"naics": pl.Utf8, "isic": pl.Utf8}, orient="row")
    unknown = set(out["isic"]) - set(classes)
    if unknown:
        raise DataError(f"ISIC codes not in ISIC Rev.4: {', '.join(sorted(unknown))}",
                        field="isic4")
    return out.unique().sort("naics", "isic")


def link_weights(links: pl.DataFrame, employment: pl.DataFrame) -> pl.DataFrame:
    """US employment carried by each NAICS -> ISIC link.

    ``links``: naics, isic. ``employment``: naics, employment (national totals, e.g.
    CBP 2021 summed over states; codes absent count 0). A NAICS code with m ISIC links
    passes employment / m along each (the concordance gives no finer weights).
    Returns naics, isic, weight.
    """
    emp = employment.group_by("naics").agg(pl.col("employment").sum())
    return (links.join(emp, on="naics", how="left")
            .with_columns(pl.col("employment").fill_null(0.0))
            .with_columns((pl.col("employment") / pl.len().over("naics")).alias("weight"))
            .select("naics", "isic", "weight"))


def carry_to_isic(definitions: pl.DataFrame, weights: pl.DataFrame) -> pl.DataFrame:
    """Cluster shares of ISIC classes from NAICS definitions and weighted links.

    ``definitions``: DEFINITIONS_SCHEMA on NAICS codes. ``weights``: naics, isic, weight.
    For ISIC class i, P(i) is the set of *clustered* NAICS codes linked to it, w(n, i)
    their link weights and s(n, k) their cluster shares:

        share(i, k) = sum_{n in P(i)} w(n, i) s(n, k) / sum_{n in P(i)} w(n, i)

    (if every w(n, i) is 0 — no US employment — each n in P(i) counts equally). Links to
    unclustered NAICS codes are ignored, so shares sum to 1; a class with no clustered
    link is in no cluster (absent). Returns DEFINITIONS_SCHEMA on ISIC codes plus
    ``weight`` = sum_{n in P(i)} w(n, i) (the US employment the class stands for).
    """
    w = weights.join(definitions.select("industry").unique(), left_on="naics",
                     right_on="industry", how="semi")
    w = w.with_columns(
        pl.col("weight").sum().over("isic").alias("_tot"),
        pl.len().over("isic").alias("_n"))
    w = w.with_columns(
        pl.when(pl.col("_tot") > 0).then(pl.col("weight") / pl.col("_tot"))
        .otherwise(1.0 / pl.col("_n")).alias("_p"))
    out = (w.join(definitions.select(_DEF_COLS), left_on="naics", right_on="industry")
           .group_by("isic", *_CLUSTER_COLS)
           .agg((pl.col("_p") * pl.col("share")).sum().alias("share"))
           .rename({"isic": "industry"}))
    tot = w.group_by("isic").agg(pl.col("weight").sum()).rename({"isic": "industry"})
    return (out.join(tot, on="industry").select(*_DEF_COLS, "weight")
            .sort("industry", "cluster").cast(DEFINITIONS_SCHEMA))


def isic_to_nace(isic_definitions: pl.DataFrame, classes: pl.DataFrame) -> pl.DataFrame:
    """NACE class definitions: each NACE class takes the shares of its ISIC class.

    ``classes``: code (NACE class, 4 digits), isic4. A NACE class is a part of one ISIC
    class, and nothing in the US data tells the parts apart, so every part inherits the
    whole class's shares. Returns DEFINITIONS_SCHEMA on NACE class codes.
    """
    return (classes.select("code", "isic4")
            .join(isic_definitions.select(_DEF_COLS), left_on="isic4", right_on="industry")
            .select(pl.col("code").alias("industry"), *_DEF_COLS[1:])
            .sort("industry", "cluster").cast(DEFINITIONS_SCHEMA))


def to_divisions(isic_definitions: pl.DataFrame, classes: pl.DataFrame | None = None
                 ) -> pl.DataFrame:
    """Division definitions: the weight-weighted mean of the division's ISIC classes.

    ``isic_definitions``: :func:`carry_to_isic` output (with ``weight``). For division d
    with classes i (in some cluster):

        share(d, k) = sum_i weight(i) share(i, k) / sum_i weight(i)

    (equal class weights if the division has no US employment). Because the weights are
    the same US employment, national cluster employment on the weighting data is the same
    at class and at division level; what a division table loses is *where* (which
    regions) a cluster's employment sits (docs/taxonomy.md).

    With ``classes`` (NACE classes: code, isic4), a division is left out when fewer than
    half of its NACE classes are in a cluster: then most of its activity is outside the
    benchmark *and* outside the US weights (division 01: farming, which CBP does not
    cover), and a division total would be credited wholly to the few clustered classes
    (01: support activities). Returns DEFINITIONS_SCHEMA.
    """
    d = isic_definitions.with_columns(pl.col("industry").str.slice(0, 2).alias("_d"))
    if classes is not None:
        clustered = isic_definitions["industry"].unique().implode()
        keep = (classes.group_by(pl.col("code").str.slice(0, 2).alias("_d"))
                .agg((pl.col("isic4").is_in(clustered).sum() * 2 >= pl.len()).alias("_k"))
                .filter("_k")["_d"])
        d = d.filter(pl.col("_d").is_in(keep.implode()))
    cls = d.select("industry", "_d", "weight").unique("industry").with_columns(
        pl.col("weight").sum().over("_d").alias("_tot"), pl.len().over("_d").alias("_n"))
    cls = cls.with_columns(
        pl.when(pl.col("_tot") > 0).then(pl.col("weight") / pl.col("_tot"))
        .otherwise(1.0 / pl.col("_n")).alias("_p")).select("industry", "_p")
    return (d.join(cls, on="industry")
            .group_by("_d", *_CLUSTER_COLS)
            .agg((pl.col("_p") * pl.col("share")).sum().alias("share"))
            .rename({"_d": "industry"}).select(_DEF_COLS)
            .sort("industry", "cluster").cast(DEFINITIONS_SCHEMA))


# --- measuring the routes on US data (scripts/build_nace_definitions.py, docs) ----------

def naics_to_nace_stats(stats: pl.DataFrame, links: pl.DataFrame, classes: pl.DataFrame,
                        level: NaceLevel = "class") -> pl.DataFrame:
    """Convert NAICS 2017 statistics to NACE classes or divisions (employment only).

    ``stats``: region, industry (6-digit NAICS), year, employment. Each NAICS row's
    employment is split equally over its ISIC links (``links``: naics, isic), then each
    ISIC class's equally over the NACE classes that make it up (``classes``: code,
    isic4); at division level the classes are summed to their 2-digit division.
    Employment of NAICS codes without a link is dropped. Returns region, industry, year,
    employment (sums).
    """
    _check_level(level)
    lk = links.with_columns((1.0 / pl.len().over("naics")).alias("_a"))
    nc = classes.select("code", "isic4").with_columns(
        (1.0 / pl.len().over("isic4")).alias("_b"))
    out = (stats.select("region", pl.col("industry").alias("naics"), "year", "employment")
           .join(lk, on="naics")
           .join(nc, left_on="isic", right_on="isic4")
           .select("region", "year",
                   (pl.col("code") if level == "class" else pl.col("code").str.slice(0, 2))
                   .alias("industry"),
                   (pl.col("employment") * pl.col("_a") * pl.col("_b")).alias("employment")))
    return (out.group_by("region", "industry", "year").agg(pl.col("employment").sum())
            .sort("region", "industry", "year"))


def _cluster_employment(stats: pl.DataFrame, definitions: pl.DataFrame) -> pl.DataFrame:
    return (stats.join(definitions.select("industry", "cluster", "share"), on="industry")
            .group_by("region", "cluster")
            .agg((pl.col("employment") * pl.col("share")).sum().alias("employment")))


def division_loss(stats: pl.DataFrame, naics_definitions: pl.DataFrame,
                  links: pl.DataFrame, classes: pl.DataFrame,
                  class_definitions: pl.DataFrame, division_definitions: pl.DataFrame
                  ) -> pl.DataFrame:
    """Per cluster: what class- and division-level NACE routes change against NAICS.

    ``stats``: NAICS 2017 statistics by region (e.g. CBP 2021 states, one year). The
    NAICS route aggregates them with ``naics_definitions``; the class (division) route
    first converts them with :func:`naics_to_nace_stats` and aggregates with the NACE
    class (division) definitions. Returns one row per cluster and a row "all":

    * employment — national cluster employment, NAICS route;
    * shared_division_share — part of it in NACE classes whose division is split over
      several clusters in ``division_definitions``;
    * moved_class_share, moved_division_share — half the sum over regions of
      |route − NAICS route| / national employment of the cluster: with equal national
      totals, the index of dissimilarity (Duncan & Duncan 1955) between the route's and
      the NAICS route's regional distributions of the cluster, i.e. the part of its
      employment placed in other regions. For "all": half the sum over regions and
      clusters / total employment, the part of all employment that the route puts in
      another cluster of the same region.
    """
    base = _cluster_employment(stats, naics_definitions)
    cls_stats = naics_to_nace_stats(stats, links, classes, "class")
    div_stats = naics_to_nace_stats(stats, links, classes, "division")
    routes = {"class": _cluster_employment(cls_stats, class_definitions),
              "division": _cluster_employment(div_stats, division_definitions)}
    split_div = (division_definitions.group_by("industry").agg(pl.len().alias("_n"))
                 .filter(pl.col("_n") > 1)["industry"])
    shared = (cls_stats.filter(pl.col("industry").str.slice(0, 2).is_in(split_div.implode()))
              .pipe(_cluster_employment, class_definitions)
              .group_by("cluster").agg(pl.col("employment").sum().alias("_shared")))
    nat = base.group_by("cluster").agg(pl.col("employment").sum())
    out = nat.join(shared, on="cluster", how="left").with_columns(
        pl.col("_shared").fill_null(0.0))
    moved_all = {}
    for name, route in routes.items():
        diff = (base.join(route, on=["region", "cluster"], how="full", coalesce=True,
                          suffix="_r")
                .with_columns((pl.col("employment").fill_null(0.0)
                               - pl.col("employment_r").fill_null(0.0)).abs().alias("_d")))
        per = diff.group_by("cluster").agg((pl.col("_d").sum() / 2).alias(f"_m_{name}"))
        out = out.join(per, on="cluster", how="left")
        moved_all[name] = float(diff["_d"].sum()) / 2.0
    names = naics_definitions.select("cluster", "cluster_name").unique("cluster")
    out = out.join(names, on="cluster").select(
        "cluster", "cluster_name", "employment",
        (pl.col("_shared") / pl.col("employment")).alias("shared_division_share"),
        (pl.col("_m_class") / pl.col("employment")).alias("moved_class_share"),
        (pl.col("_m_division") / pl.col("employment")).alias("moved_division_share"),
    ).sort(pl.col("cluster").cast(pl.Int64, strict=False), "cluster")
    total = float(out["employment"].sum())
    all_row = pl.DataFrame({
        "cluster": ["all"], "cluster_name": ["All clusters"], "employment": [total],
        "shared_division_share": [float((out["shared_division_share"]
                                         * out["employment"]).sum()) / total],
        "moved_class_share": [moved_all["class"] / total],
        "moved_division_share": [moved_all["division"] / total],
    })
    return pl.concat([out, all_row])
