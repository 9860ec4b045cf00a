"""Cluster and organisation filters, shared by the portal directory and the API."""

from __future__ import annotations

import django_filters as df
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from klaster.web.registry.models import (
    Cluster,
    ClusterStatus,
    Helix,
    Membership,
    Organisation,
)


class ClusterFilter(df.FilterSet):
    q = df.CharFilter(label=_("Search"), method="search")
    region = df.CharFilter(label=_("Region"), lookup_expr="icontains")
    sector = df.CharFilter(label=_("Sector"), method="filter_sector")
    status = df.ChoiceFilter(label=_("Status"), choices=ClusterStatus.choices)
    country = df.CharFilter(label=_("Country"), lookup_expr="iexact")
    helix = df.MultipleChoiceFilter(
        label=_("Helix mix (has current members of every chosen type)"),
        choices=Helix.choices, method="filter_helix")

    class Meta:
        model = Cluster
        fields = ["q", "region", "sector", "status", "country", "helix"]

    def search(self, qs, name, value):
        q = Q()
        for field in ("name_en", "name_pl", "name_be", "name_ru", "description", "sector"):
            q |= Q(**{f"{field}__icontains": value})
        return qs.filter(q)

    def filter_sector(self, qs, name, value):
        # Sector text or an industry code, e.g. "ICT" or "C25": JSON list compared as text.
        return qs.filter(Q(sector__icontains=value)
                         | Q(industry_codes__icontains=value.strip().upper()))

    def filter_helix(self, qs, name, values):
        for helix in values:
            qs = qs.filter(Exists(Membership.objects.filter(
                cluster=OuterRef("pk"), left__isnull=True, organisation__helix=helix)))
        return qs


class OrganisationFilter(df.FilterSet):
    q = df.CharFilter(label=_("Search"), method="search")
    helix = df.ChoiceFilter(choices=Helix.choices)
    region = df.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Organisation
        fields = ["q", "helix", "region", "id_scheme", "id_value", "size_class"]

    def search(self, qs, name, value):
        q = Q(id_value__icontains=value)
        for field in ("name_en", "name_pl", "name_be", "name_ru"):
            q |= Q(**{f"{field}__icontains": value})
        return qs.filter(q)
