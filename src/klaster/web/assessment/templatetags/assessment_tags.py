from django import template
from django.db.models import Q
from django.utils import timezone

from klaster.web.assessment.models import Label

register = template.Library()


@register.simple_tag
def current_labels(cluster):
    """Labels of ``cluster`` valid today (not revoked); one query."""
    return list(Label.objects.filter(cluster=cluster, revoked=False)
                .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate()))
                .select_related("application")
                .order_by("-granted", "pk"))


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)
