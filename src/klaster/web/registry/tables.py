"""Export the registry database as :class:`klaster.registry_tables.RegistryTables`.

The analytics (assessment, KPI snapshots, networks, matchmaking) never query the database;
they read these tables. One ``values()`` query per table, so the cost is constant in the
number of queries whatever the registry's size.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .models import (
    Activity,
    Cluster,
    CoordinatorProfile,
    Membership,
    Organisation,
    OrganisationFigures,
    PartnerRequest,
    Project,
)

# Polars and the analytics load inside the functions that use them: the URL map imports
# this module at every start of the platform (1-3 s of `klaster serve`; issue 14).
if TYPE_CHECKING:
    from klaster.registry_tables import RegistryTables


def _float(value):
    return None if value is None else float(value)


def export_tables(clusters: Iterable[int] | None = None, *,
                  pseudonymous: bool = False) -> RegistryTables:
    """The registry as tables; with ``clusters`` (ids), only those clusters' records.

    The tables hold no account or person column; with ``pseudonymous`` the free-text
    columns (titles, partner-request topics and descriptions) also lose any e-mail address
    or phone number written into them (klaster.web.privacy.pseudonymise).

    Organisations are those that are (or were) members of the selected clusters, or take
    part in their activities and projects, or coordinate them; with no selection, all.
    """
    from klaster.registry_tables import RegistryTables
    cluster_qs = Cluster.objects.all()
    if clusters is not None:
        cluster_qs = cluster_qs.filter(pk__in=list(clusters))
    cluster_rows = list(cluster_qs.order_by("pk").values(
        "id", "name_en", "status", "phase", "founded", "country", "region", "sector",
        "code_system", "industry_codes", "coordinator_organisation_id", "website",
        "published"))
    ids = [row["id"] for row in cluster_rows]
    scoped = clusters is not None

    def in_scope(qs, field="cluster_id"):
        return qs.filter(**{f"{field}__in": ids}) if scoped else qs

    memberships = list(in_scope(Membership.objects.all()).order_by("pk").values(
        "id", "organisation_id", "cluster_id", "role", "committed", "joined", "left"))
    profiles = [
        dict(cluster_id=p["cluster_id"], year=p["year"],
             management_fte=_float(p["management_fte"]), budget=_float(p["budget"]),
             income_member_fees=_float(p["income_member_fees"]),
             income_public=_float(p["income_public"]),
             income_services=_float(p["income_services"]))
        for p in in_scope(CoordinatorProfile.objects.all()).order_by("cluster_id", "year").values(
            "cluster_id", "year", "management_fte", "budget", "income_member_fees",
            "income_public", "income_services")]
    activities = list(in_scope(Activity.objects.all()).order_by("pk").values(
        "id", "cluster_id", "kind", "title", "start", "end", "participant_count",
        "foreign_participant_count"))
    activity_ids = [a["id"] for a in activities]
    participants_qs = Activity.participants.through.objects.all()
    if scoped:
        participants_qs = participants_qs.filter(activity_id__in=activity_ids)
    activity_participants = list(participants_qs.order_by("pk").values(
        "activity_id", "organisation_id"))
    projects = [
        dict(p, budget=_float(p["budget"]))
        for p in in_scope(Project.objects.all()).order_by("pk").values(
            "id", "cluster_id", "title", "budget", "funding_source", "start", "end")]
    project_ids = [p["id"] for p in projects]
    partners_qs = Project.partners.through.objects.all()
    if scoped:
        partners_qs = partners_qs.filter(project_id__in=project_ids)
    project_partners = list(partners_qs.order_by("pk").values("project_id", "organisation_id"))

    org_qs = Organisation.objects.all()
    if scoped:
        org_ids = ({m["organisation_id"] for m in memberships}
                   | {a["organisation_id"] for a in activity_participants}
                   | {p["organisation_id"] for p in project_partners}
                   | {c["coordinator_organisation_id"] for c in cluster_rows
                      if c["coordinator_organisation_id"] is not None})
        org_qs = org_qs.filter(pk__in=org_ids)
    organisations = list(org_qs.order_by("pk").values(
        "id", "name_en", "helix", "size_class", "code_system", "industry_codes", "region",
        "city", "latitude", "longitude", "website", "approved"))
    org_ids = [o["id"] for o in organisations]
    figures_qs = OrganisationFigures.objects.all()
    requests_qs = PartnerRequest.objects.all()
    if scoped:
        figures_qs = figures_qs.filter(organisation_id__in=org_ids)
        requests_qs = requests_qs.filter(organisation_id__in=org_ids)
    figures = [
        dict(organisation_id=f["organisation_id"], year=f["year"],
             employees=_float(f["employees"]), turnover=_float(f["turnover"]),
             exports=_float(f["exports"]), rd_staff=_float(f["rd_staff"]))
        for f in figures_qs.order_by("organisation_id", "year").values(
            "organisation_id", "year", "employees", "turnover", "exports", "rd_staff")]
    partner_requests = list(requests_qs.order_by("pk").values(
        "id", "organisation_id", "cluster_id", "kind", "topic", "description", "sectors",
        "countries", "status"))

    for row in organisations:
        row["name"] = row.pop("name_en")
        row["size_class"] = row["size_class"] or None  # "" in a form means "not known"
        row["industry_codes"] = list(row["industry_codes"] or [])
    for row in cluster_rows:
        row["name"] = row.pop("name_en")
        row["phase"] = row["phase"] or None
        row["industry_codes"] = list(row["industry_codes"] or [])
    if pseudonymous:
        from klaster.web.privacy.pseudonymise import scrub_rows

        scrub_rows(partner_requests, ("topic", "description", "sectors", "countries"))
        scrub_rows(activities, ("title",))
        scrub_rows(projects, ("title", "funding_source"))
    return RegistryTables.from_frames(
        "registry database",
        organisations=organisations, clusters=cluster_rows, memberships=memberships,
        profiles=profiles, figures=figures, activities=activities,
        activity_participants=activity_participants, projects=projects,
        project_partners=project_partners, partner_requests=partner_requests)
