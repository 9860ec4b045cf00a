"""Who may do what with datasets (pages and JSON endpoints ask only here).

* analyst — group "Analysts" (``analysis.add_dataset``) or a programme administrator:
  uploads datasets, sees every dataset, records potential clusters; publishing needs
  ``analysis.change_dataset`` (the Analysts group has it) or the administrator role;
* everybody else — published, finished datasets only.

As in the registry, a dataset the user may not see answers 404; a visible one they may not
act on, 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from klaster.web.analysis.models import Dataset, Status
from klaster.web.registry.permissions import is_admin


def is_analyst(user) -> bool:
    return is_admin(user) or bool(user and user.is_authenticated
                                  and user.has_perm("analysis.add_dataset"))


def can_publish(user) -> bool:
    return is_admin(user) or bool(user and user.is_authenticated
                                  and user.has_perm("analysis.change_dataset"))


def visible_datasets(user) -> QuerySet[Dataset]:
    if is_analyst(user):
        return Dataset.objects.all()
    return Dataset.objects.filter(published=True, status=Status.DONE)


def get_dataset_or_404(user, pk) -> Dataset:
    try:
        return visible_datasets(user).get(pk=pk)
    except Dataset.DoesNotExist:
        raise Http404(f"No dataset {pk}") from None


def require_analyst(user) -> None:
    if not is_analyst(user):
        raise PermissionDenied("Only analysts may do this.")
