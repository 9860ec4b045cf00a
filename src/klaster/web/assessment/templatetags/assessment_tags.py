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


@register.filter
def num(value):
    """A value as the report shows it: yes/no, — for missing, numbers without a spurious
    ".0" and with at most 4 significant decimals."""
    from django.template.defaultfilters import floatformat
    from django.utils.translation import gettext

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return floatformat(value, "-4")
