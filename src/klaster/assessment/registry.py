"""Indicators computed from the cluster registry (tables of :mod:`klaster.registry_tables`).

Every function here reads a :class:`~klaster.registry_tables.RegistryTables` and returns plain
numbers; nothing is read from disk. A value the registry cannot support is ``None`` (for
example no coordinator profile for the year, or no member reporting turnover) — never a
silent 0. Counts of registry records (members, activities, projects) are real zeros when
there are none, because an empty list in the registry *is* the information.

Membership on a day ``d`` (Dec 31 for "at year end", Jan 1 for "at start of year"):
``joined <= d`` and (``left`` is null or ``left > d``): someone who leaves on Dec 31 is no
longer a member at the end of that day. An organisation with several membership rows in
the same cluster counts once.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from klaster.errors import DataError
from klaster.i18n import N_
from klaster.registry_tables import HELIX_TYPES, SIZE_CLASSES, SME_SIZE_CLASSES, RegistryTables

# Labels and descriptions are engine words (N_: translated where shown, klaster.i18n);
# units are translated too (klaster.assessment_messages). Helix types and size classes
# are spelled out so that each label is one catalogue entry.
_HELIX_LABELS = {
    "business": (N_("Members: business"),
                 N_("Members at year end whose helix type is 'business'.")),
    "research": (N_("Members: research"),
                 N_("Members at year end whose helix type is 'research'.")),
    "public": (N_("Members: public"), N_("Members at year end whose helix type is 'public'.")),
    "support": (N_("Members: support"),
                N_("Members at year end whose helix type is 'support'.")),
    "civil": (N_("Members: civil"), N_("Members at year end whose helix type is 'civil'.")),
    "finance": (N_("Members: finance"),
                N_("Members at year end whose helix type is 'finance'.")),
}
_SIZE_LABELS = {
    "micro": (N_("Members: micro enterprises"),
              N_("Members at year end whose size class is 'micro'.")),
    "small": (N_("Members: small enterprises"),
              N_("Members at year end whose size class is 'small'.")),
    "medium": (N_("Members: medium enterprises"),
               N_("Members at year end whose size class is 'medium'.")),
    "large": (N_("Members: large enterprises"),
              N_("Members at year end whose size class is 'large'.")),
}
assert set(_HELIX_LABELS) == set(HELIX_TYPES) and set(_SIZE_LABELS) == set(SIZE_CLASSES)

# key -> (label, unit, description). The single list of registry-derived indicators: a
# rubric that names a "registry" indicator not listed here is rejected when loaded.
REGISTRY_INDICATORS: dict[str, tuple[str, str, str]] = {
    "members": (N_("Members"), "count",
                N_("Organisations that are members at year end (Dec 31), committed or not.")),
    "members_committed": (N_("Committed members"), "count",
                          N_("Members at year end whose membership is marked committed "
                             "(signed agreement or paid fee).")),
    **{f"members_{h}": (_HELIX_LABELS[h][0], "count", _HELIX_LABELS[h][1])
       for h in HELIX_TYPES},
    **{f"members_{s}": (_SIZE_LABELS[s][0], "count", _SIZE_LABELS[s][1])
       for s in SIZE_CLASSES},
    "members_size_unknown": (N_("Members without size class"), "count",
                             N_("Members at year end with no size class recorded.")),
    "sme_share": (N_("Share of SMEs"), "share",
                  N_("SMEs (micro, small, medium) / members with a known size class, at year "
                     "end. None when no member has a size class.")),
    "helix_types": (N_("Helix types among members"), "count",
                    N_("Number of distinct helix types among members at year end.")),
    "members_joined": (N_("Members joined in the year"), "count",
                       N_("Organisations whose membership started during the year.")),
    "members_left": (N_("Members left in the year"), "count",
                     N_("Organisations whose membership ended during the year and who were "
                        "not members at year end.")),
    "member_retention": (N_("Member retention"), "share",
                         N_("Members on Jan 1 who are still members on Dec 31, / members on "
                            "Jan 1. None when there were no members on Jan 1.")),
    "years_in_operation": (N_("Years in operation"), "years",
                           N_("Full years from the founding date to Dec 31 of the year "
                              "(year − founding year). None without a founding date or "
                              "before founding.")),
    "coordinator_designated": (N_("Coordinator designated"), "yes/no",
                               N_("The cluster has a coordinator organisation in the registry.")),
    "management_fte": (N_("Management staff"), "FTE",
                       N_("Cluster management staff in full-time equivalents (coordinator "
                          "profile of the year).")),
    "budget": (N_("Cluster management budget"), "EUR", N_("Budget in the coordinator profile.")),
    "income_member_fees": (N_("Income from member fees"), "EUR", N_("Coordinator profile.")),
    "income_public": (N_("Public income"), "EUR",
                      N_("Grants and other public funding; profile.")),
    "income_services": (N_("Income from services"), "EUR",
                        N_("Paid services; coordinator profile.")),
    "income_total": (N_("Total income"), "EUR",
                     N_("Member fees + public income + services. None if any part is unknown.")),
    "private_income_share": (N_("Share of private income"), "share",
                             N_("(member fees + services) / total income. None if total "
                                "income is unknown or zero.")),
    "activities": (N_("Activities"), "count",
                   N_("Activities of the cluster starting in the year.")),
    "activity_participants": (N_("Activity participants"), "count",
                              N_("Sum of participants over the year's activities (the "
                                 "recorded count, or the listed participants when no count "
                                 "is recorded).")),
    "foreign_participants": (N_("Foreign participants"), "count",
                             N_("Sum of foreign participants over the year's activities. "
                                "None when any of them has no foreign count.")),
    "members_participating": (N_("Members taking part in activities"), "count",
                              N_("Distinct members at year end listed as participants of at "
                                 "least one of the year's activities.")),
    "projects": (N_("Projects"), "count",
                 N_("Cluster projects running in the year (start ≤ Dec 31 or unknown, end ≥ "
                    "Jan 1 or open).")),
    "joint_projects": (N_("Joint projects"), "count",
                       N_("Projects running in the year with at least two partner "
                          "organisations.")),
    "joint_projects_value": (N_("Value of joint projects"), "EUR",
                             N_("Sum of the budgets of the joint projects. None when any of "
                                "them has no budget.")),
    "members_reporting_figures": (N_("Members reporting figures"), "count",
                                  N_("Members at year end with a figures row for the year.")),
    "members_with_rd": (N_("Members with R&D staff"), "count",
                        N_("Members whose R&D staff in the year is > 0 (among those who "
                           "report it). None when no member reports R&D staff.")),
    "exporters": (N_("Exporting members"), "count",
                  N_("Members whose exports in the year are > 0 (among those who report "
                     "exports). None when no member reports exports.")),
    "members_turnover": (N_("Members' turnover"), "EUR",
                         N_("Sum of reported turnover of members. None when none reports it.")),
    "members_employment": (N_("Members' employment"), "persons",
                           N_("Sum of reported employees of members. None when none reports.")),
    "members_exports": (N_("Members' exports"), "EUR",
                        N_("Sum of reported exports of members. None when none reports.")),
    "export_intensity": (N_("Export intensity"), "share",
                         N_("Exports / turnover, summed over members reporting both. None "
                            "when no member reports both or turnover is zero.")),
}


def _member_ids(m: pl.DataFrame, day: dt.date) -> set[int]:
    on = m.filter((pl.col("joined") <= day)
                  & (pl.col("left").is_null() | (pl.col("left") > day)))
    return set(on.get_column("organisation_id").to_list())


def _sum_or_none(series: pl.Series) -> float | None:
    vals = series.drop_nulls()
    return float(vals.sum()) if vals.len() else None


def registry_indicators(tables: RegistryTables, cluster_id: int,
                        year: int) -> dict[str, float | None]:
    """Every registry-derived indicator of one cluster in one year.

    Reads the tables clusters, memberships, organisations, profiles, figures, activities,
    activity_participants, projects and project_partners. Returns a dict with exactly the
    keys of :data:`REGISTRY_INDICATORS` (described there); ``None`` where the registry has
    no data. Raises DataError when the cluster id is not in the registry.
    """
    cl = tables.clusters.filter(pl.col("id") == cluster_id)
    if cl.height == 0:
        raise DataError(f"cluster {cluster_id} is not in the registry", field="clusters.id")
    cluster = cl.row(0, named=True)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    out: dict[str, float | None] = {}

    # --- membership -------------------------------------------------------------------
    m = tables.memberships.filter(pl.col("cluster_id") == cluster_id)
    members = _member_ids(m, end)
    at_start = _member_ids(m, start)
    # committed: a current membership row (at year end) marked committed; unknown = no
    committed = _member_ids(m.filter(pl.col("committed").fill_null(False)), end)
    orgs = tables.organisations.filter(pl.col("id").is_in(list(members)))
    out["members"] = float(len(members))
    out["members_committed"] = float(len(committed))
    helix = orgs.get_column("helix").to_list()
    for h in HELIX_TYPES:
        out[f"members_{h}"] = float(helix.count(h))
    sizes = orgs.get_column("size_class").to_list()
    for s in SIZE_CLASSES:
        out[f"members_{s}"] = float(sizes.count(s))
    known = [s for s in sizes if s is not None]
    out["members_size_unknown"] = float(len(sizes) - len(known))
    # SME share over members with a known size class (EU Recommendation 2003/361/EC
    # classes micro/small/medium = SME); unknown sizes are not guessed.
    out["sme_share"] = (sum(s in SME_SIZE_CLASSES for s in known) / len(known)
                        if known else None)
    out["helix_types"] = float(len(set(helix)))
    joined = set(m.filter(pl.col("joined").is_between(start, end))
                 .get_column("organisation_id").to_list())
    left = set(m.filter(pl.col("left").is_between(start, end))
               .get_column("organisation_id").to_list())
    out["members_joined"] = float(len(joined - at_start))
    out["members_left"] = float(len(left - members))
    out["member_retention"] = (len(at_start & members) / len(at_start)) if at_start else None

    founded = cluster["founded"]
    out["years_in_operation"] = (float(year - founded.year)
                                 if founded is not None and founded.year <= year else None)
    out["coordinator_designated"] = cluster["coordinator_organisation_id"] is not None

    # --- coordinator profile ----------------------------------------------------------
    prof = tables.profiles.filter((pl.col("cluster_id") == cluster_id)
                                  & (pl.col("year") == year))
    if prof.height > 1:
        raise DataError(f"cluster {cluster_id} has {prof.height} profiles for {year}",
                        field="profiles.year")
    p = prof.row(0, named=True) if prof.height else {}
    for key in ("management_fte", "budget", "income_member_fees", "income_public",
                "income_services"):
        out[key] = p.get(key)
    parts = [p.get("income_member_fees"), p.get("income_public"), p.get("income_services")]
    total = None if any(v is None for v in parts) else float(sum(parts))
    out["income_total"] = total
    out["private_income_share"] = (
        (parts[0] + parts[2]) / total if total else None)

    # --- activities -------------------------------------------------------------------
    acts = tables.activities.filter((pl.col("cluster_id") == cluster_id)
                                    & pl.col("start").is_between(start, end))
    listed = (tables.activity_participants
              .filter(pl.col("activity_id").is_in(acts.get_column("id").to_list())))
    per_act = dict(listed.group_by("activity_id").len().iter_rows())
    out["activities"] = float(acts.height)
    participants = 0.0
    for aid, count in acts.select("id", "participant_count").iter_rows():
        participants += count if count is not None else per_act.get(aid, 0)
    out["activity_participants"] = participants
    foreign = acts.get_column("foreign_participant_count")
    out["foreign_participants"] = None if foreign.null_count() else float(foreign.sum())
    out["members_participating"] = float(len(
        set(listed.get_column("organisation_id").to_list()) & members))

    # --- projects ---------------------------------------------------------------------
    proj = tables.projects.filter(
        (pl.col("cluster_id") == cluster_id)
        & (pl.col("start").is_null() | (pl.col("start") <= end))
        & (pl.col("end").is_null() | (pl.col("end") >= start)))
    partners = (tables.project_partners
                .filter(pl.col("project_id").is_in(proj.get_column("id").to_list()))
                .unique().group_by("project_id").len())
    joint_ids = partners.filter(pl.col("len") >= 2).get_column("project_id").to_list()
    joint = proj.filter(pl.col("id").is_in(joint_ids))
    out["projects"] = float(proj.height)
    out["joint_projects"] = float(joint.height)
    budgets = joint.get_column("budget")
    out["joint_projects_value"] = None if budgets.null_count() else float(budgets.sum())

    # --- members' figures -------------------------------------------------------------
    fig = tables.figures.filter((pl.col("year") == year)
                                & pl.col("organisation_id").is_in(list(members)))
    if fig.get_column("organisation_id").is_duplicated().any():
        raise DataError(f"figures has several rows for one organisation in {year}",
                        field="figures.organisation_id")
    out["members_reporting_figures"] = float(fig.height)
    rd = fig.get_column("rd_staff").drop_nulls()
    out["members_with_rd"] = float((rd > 0).sum()) if rd.len() else None
    ex = fig.get_column("exports").drop_nulls()
    out["exporters"] = float((ex > 0).sum()) if ex.len() else None
    out["members_turnover"] = _sum_or_none(fig.get_column("turnover"))
    out["members_employment"] = _sum_or_none(fig.get_column("employees"))
    out["members_exports"] = _sum_or_none(fig.get_column("exports"))
    both = fig.drop_nulls(["exports", "turnover"])
    turnover = float(both.get_column("turnover").sum()) if both.height else 0.0
    out["export_intensity"] = (float(both.get_column("exports").sum()) / turnover
                               if turnover > 0 else None)
    assert set(out) == set(REGISTRY_INDICATORS), set(out) ^ set(REGISTRY_INDICATORS)
    return out


# The Monitoring KPIs of issue 4 that the registry can supply. Patents and member
# satisfaction are not in the registry (evaluator input and the survey supply them).
KPI_KEYS: tuple[str, ...] = (
    "members", *(f"members_{h}" for h in HELIX_TYPES), "sme_share", "member_retention",
    "management_fte", "private_income_share", "activities", "activity_participants",
    "joint_projects", "joint_projects_value", "members_with_rd", "exporters",
    "members_turnover", "members_employment", "network_density",
)


def kpi_snapshot(tables: RegistryTables, cluster_id: int, year: int, *,
                 network_density: float | None = None) -> dict[str, float | None]:
    """The yearly KPI set of one cluster (keys :data:`KPI_KEYS`), ``None`` where unknown.

    ``network_density`` comes from the collaboration-network analysis (another module);
    it is passed through unchanged and is ``None`` when not given.
    """
    ind = registry_indicators(tables, cluster_id, year)
    snap = {k: ind[k] for k in KPI_KEYS if k != "network_density"}
    snap["network_density"] = None if network_density is None else float(network_density)
    return snap
