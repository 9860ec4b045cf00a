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


@register.filter
def indicator_names(keys, rubric) -> str:
    """Indicator keys (missing inputs, consensus ties) as the rubric's labels, joined;
    klaster's own labels of registry indicators in the reader's language."""
    from klaster.web.analysis.templatetags.engine_i18n import engine_term

    labels = {i.key: i.label for i in getattr(rubric, "indicators", ())}
    return ", ".join(engine_term(labels.get(k, k)) for k in keys or ())
