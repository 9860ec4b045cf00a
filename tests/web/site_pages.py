"""Every public and workspace page of the platform, as the audits see it (accessibility,
390 px layout, screenshots, English left on translated pages — tests/web/test_a11y.py and
benchmarks/a11y_audit.py).

Pages are built from the demo content (``load_demo``, ``load_matchmaking_demo``,
``load_assessment_demo`` and the packaged CBP demo analysis: :func:`load_demo_content`)
and seen by four people: the anonymous public and the demo coordinator, evaluator and
programme administrator. Every URL comes from ``reverse()``, so a page that moves (the
directory from "/" to "/clusters/") is followed without editing this file.

**Adding a page**: append a line to :data:`PAGES` — ``(name, who, url name, how to find
the record)``. A URL name that does not exist (yet) on this branch is left out and listed
by :func:`missing_url_names` (the audit prints it), so pages another branch adds — the home
page, the public board, the API docs — are audited as soon as they are merged.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass

# Who looks at the page -> the demo account (None: not signed in).
USERS: dict[str, str | None] = {
    "public": None,
    "coordinator": "demo-coordinator",
    "evaluator": "demo-evaluator",
    "admin": "demo-admin",
    "representative": "demo-representative",  # of a member organisation: answers surveys
}
DEMO_PASSWORD = "demo-Password-1"


@dataclass(frozen=True)
class SitePage:
    name: str  # unique, file-name safe: test ids and screenshot names
    who: str  # a key of USERS
    url: str  # path, from reverse()

    @property
    def id(self) -> str:
        return f"{self.who}-{self.name}"


# --- how to find the record a page is about (run against the demo content) ---------------

def _cluster():
    from klaster.web.registry.models import Cluster

    return Cluster.objects.get(name_en="Metal Processing Cluster")  # the demo coordinator's


def _organisation():
    from klaster.web.registry.models import Organisation

    # the demo representative's (a member of a demo cluster)
    return Organisation.objects.filter(
        representatives__username=USERS["representative"]).order_by("pk").first()


def _network_cluster():
    # the demo coordinator's cluster: published, with demo projects and activities
    return _cluster()


def _request():
    from klaster.web.registry.models import PartnerRequest

    return PartnerRequest.objects.order_by("pk").first()


def _event():
    from klaster.web.matchmaking.models import Event

    return Event.objects.get(title="Podlaskie–Hrodna B2B day (illustrative)")


def _participant():
    return _event().participants.order_by("pk").first()


def _open_call():
    from klaster.web.assessment.models import Call

    return Call.objects.filter(is_open=True).order_by("pk").first()


def _application():
    from klaster.web.assessment.models import Application

    return Application.objects.filter(cluster=_cluster()).order_by("pk").first()


def _assignment():
    from klaster.web.assessment.models import EvaluatorAssignment

    return EvaluatorAssignment.objects.filter(
        evaluator__username=USERS["evaluator"]).order_by("pk").first()


def _rubric():
    from klaster.web.assessment.models import RubricEdition

    return RubricEdition.objects.order_by("pk").first()


def _survey():
    from klaster.web.assessment.models import Survey

    return Survey.objects.order_by("pk").first()


def _dataset():
    from klaster.web.analysis.models import Dataset

    return Dataset.objects.filter(status="done", published=True).order_by("pk").first()


def _region():
    from klaster.web.analysis.models import RegionSummary

    ds = _dataset()
    first = RegionSummary.objects.filter(dataset=ds).order_by("region").first()
    return {"pk": ds.pk, "region": first.region} if first is not None else None


NONE: Callable | None = None

# --- the pages: (name, who, URL name, record or kwargs) -----------------------------------
# The record is a function returning a model instance (its pk is the URL's ``pk``) or the
# URL's kwargs as a dict; None for a URL without arguments. Add pages here. Only pages a
# GET shows: the add-one-member and add-one-organisation forms are parts of the cluster
# edit page and the workspace (their URLs take POST only).
PAGES: list[tuple[str, str, str, Callable | None]] = [
    # public pages
    ("home", "public", "portal:home", NONE),
    ("directory", "public", "portal:directory", NONE),
    ("cluster", "public", "portal:cluster", _cluster),
    ("organisation", "public", "portal:organisation", _organisation),
    ("map", "public", "portal:map", NONE),
    ("board", "public", "matchmaking:board", NONE),
    ("board-request", "public", "matchmaking:board_request", _request),
    ("board-event", "public", "matchmaking:board_event", _event),
    ("cluster-contact", "public", "portal:cluster_contact", _cluster),
    ("networks", "public", "matchmaking:networks", NONE),
    ("network", "public", "matchmaking:network", _network_cluster),
    ("analysis-list", "public", "analysis:list", NONE),
    ("analysis-dataset", "public", "analysis:dataset", _dataset),
    ("analysis-region", "public", "analysis:region", _region),
    ("assessment", "public", "assessment:home", NONE),
    ("call", "public", "assessment:call", _open_call),
    ("dashboard", "public", "assessment:dashboard", _cluster),
    ("privacy-notice", "public", "privacy:notice", NONE),
    ("login", "public", "login", NONE),
    ("api-docs", "public", "api-docs", NONE),
    # the demo coordinator's workspace
    ("workspace", "coordinator", "portal:workspace", NONE),
    ("cluster-new", "coordinator", "portal:cluster_create", NONE),
    ("cluster-edit", "coordinator", "portal:cluster_edit", _cluster),
    ("cluster-history", "coordinator", "portal:cluster_history", _cluster),
    ("members-import", "coordinator", "portal:members_import", _cluster),
    ("activity-new", "coordinator", "portal:activity_create", _cluster),
    ("project-new", "coordinator", "portal:project_create", _cluster),
    ("profile-edit", "coordinator", "portal:profile_edit", _cluster),
    ("requests", "coordinator", "matchmaking:requests", NONE),
    ("events", "coordinator", "matchmaking:events", NONE),
    ("event", "coordinator", "matchmaking:event", _event),
    ("suggestions", "admin", "matchmaking:suggestions", _request),
    ("request-edit", "admin", "matchmaking:request_edit", _request),
    ("participant", "admin", "matchmaking:participant", _participant),
    ("agenda", "admin", "matchmaking:agenda", _participant),
    ("application", "coordinator", "assessment:application", _application),
    ("survey-new", "coordinator", "assessment:survey_create", _cluster),
    ("dashboard", "coordinator", "assessment:dashboard", _cluster),
    ("my-data", "coordinator", "privacy:my_data", NONE),
    # the demo evaluator
    ("assessment", "evaluator", "assessment:home", NONE),
    ("assignment", "evaluator", "assessment:assignment", _assignment),
    ("application", "evaluator", "assessment:application", _application),
    ("report", "evaluator", "assessment:report", _application),
    # the programme administrator
    ("workspace", "admin", "portal:workspace", NONE),
    ("rubrics", "admin", "assessment:rubrics", NONE),
    ("rubric-new", "admin", "assessment:rubric_new", NONE),
    ("rubric-edit", "admin", "assessment:rubric_edit", _rubric),
    ("call-new", "admin", "assessment:call_new", NONE),
    ("call-edit", "admin", "assessment:call_edit", _open_call),
    ("decide", "admin", "assessment:decide", _application),
    ("survey-results", "admin", "assessment:survey_results", _survey),
    # a member organisation's representative
    ("workspace", "representative", "portal:workspace", NONE),
    ("organisation-edit", "representative", "portal:organisation_edit", _organisation),
    ("organisation-history", "representative", "portal:organisation_history", _organisation),
    ("figures-new", "representative", "portal:figures_create", _organisation),
    ("survey-answer", "representative", "assessment:survey_answer", _survey),
    ("requests", "admin", "matchmaking:requests", NONE),
    ("event-new", "admin", "matchmaking:event_create", NONE),
    ("proximity", "admin", "matchmaking:proximity", NONE),
    ("analysis-new", "admin", "analysis:create", NONE),
]

_MISSING: list[str] = []


def missing_url_names() -> list[str]:
    """URL names of :data:`PAGES` that this branch does not (yet) have."""
    return list(_MISSING)


def site_pages() -> list[SitePage]:
    """The pages of :data:`PAGES` that exist here, for the demo content in the database.

    A page whose record the demo lacks is an error (the demo or this list is wrong), not
    a silent omission. Two entries with the same (who, name) — alternative URL names for
    a page another branch adds — keep the first that exists.
    """
    from django.urls import reverse

    out: dict[tuple[str, str], SitePage] = {}
    _MISSING.clear()
    for name, who, url_name, find in PAGES:
        if (who, name) in out:
            continue
        if not _url_exists(url_name):
            _MISSING.append(url_name)
            continue
        record = find() if find is not None else None
        if find is not None and record is None:
            raise LookupError(f"site page {who}-{name}: the demo content has no record for "
                              f"{url_name} ({find.__name__})")
        kwargs = record if isinstance(record, dict) else (
            {"pk": record.pk} if record is not None else None)
        out[(who, name)] = SitePage(name, who, reverse(url_name, kwargs=kwargs))
    # an alternative name of a page found under another name is not missing
    _MISSING[:] = sorted({url for name, who, url, _f in PAGES if (who, name) not in out})
    return list(out.values())


def _url_exists(url_name: str) -> bool:
    from django.urls import get_resolver

    resolver = get_resolver()
    *namespaces, name = url_name.split(":")
    for ns in namespaces:
        if ns not in resolver.namespace_dict:
            return False
        resolver = resolver.namespace_dict[ns][1]
    return name in resolver.reverse_dict


def empty_database() -> None:
    """Empty every table (as a transactional test's teardown does; the role groups come
    back with post_migrate) and the caches, so the demo content is made the same way
    whatever ran before: no record or account of an earlier test, no cached page."""
    from django.core.cache import caches
    from django.core.management import call_command

    from klaster.web.portal.caching import bump_version

    call_command("flush", interactive=False, verbosity=0)
    for alias in ("default", "public"):
        caches[alias].clear()
    bump_version()


def sign_in(tab, base_url: str, who: str) -> None:
    """Sign ``who`` (a key of :data:`USERS`) in through the login form, in ``tab``."""
    username = USERS[who]
    tab.goto(f"{base_url}/accounts/login/")
    tab.fill("#id_username", username)
    tab.fill("#id_password", DEMO_PASSWORD)
    tab.click("main button[type=submit]")
    tab.wait_for_load_state()
    if "/accounts/login/" in tab.url:
        raise RuntimeError(f"{username} was not signed in with the demo password")


def open_tabs(browser, base_url: str) -> dict[str, object]:
    """One tab (own context, own cookies) per person of :data:`USERS`, signed in."""
    tabs = {}
    for who, username in USERS.items():
        tab = browser.new_context(locale="en-GB").new_page()
        if username:
            sign_in(tab, base_url, who)
        tabs[who] = tab
    return tabs


def load_demo_content() -> None:
    """The demo content the pages are built from: the three registry/matchmaking/assessment
    demos (as ``klaster serve --demo`` loads them) and the packaged CBP demo analysis, run
    now and published. The EU demo analysis is left out: it takes minutes to compute and
    its pages are the same templates."""
    from django.core.management import call_command

    from klaster.web.analysis.management.commands.load_analysis_demo import create_demo
    from klaster.web.analysis.models import Dataset, Status
    from klaster.web.analysis.tasks import claim, run

    os.environ.setdefault("KLASTER_DEMO_PASSWORD", DEMO_PASSWORD)
    for command in ("load_demo", "load_matchmaking_demo", "load_assessment_demo"):
        call_command(command, stdout=io.StringIO())
    # The loaders keep the password of a demo account that exists already (a kept
    # benchmark database made with another password): set ours. The accounts get an
    # address (example.org, RFC 2606) so the contact form, which mails the coordinator,
    # is shown and can be sent.
    from django.contrib.auth import get_user_model

    for user in get_user_model().objects.filter(
            username__in=[name for name in USERS.values() if name]):
        user.set_password(DEMO_PASSWORD)
        user.email = user.email or f"{user.username}@example.org"
        user.save(update_fields=["password", "email"])
    if not Dataset.objects.filter(source=Dataset.Source.DEMO, status=Status.DONE).exists():
        ds = create_demo()
        claim(ds.pk)
        run(ds)
        ds.refresh_from_db()
        if ds.status != Status.DONE:
            raise RuntimeError(f"the demo analysis failed: {ds.error}")
        Dataset.objects.filter(pk=ds.pk).update(published=True)
    # The demo has no member survey; the coordinator's form would make this one (sending
    # it only mails the representatives), so the survey pages are audited too.
    from django.contrib.auth import get_user_model

    from klaster.web.assessment.models import Survey

    cluster = _cluster()
    if not Survey.objects.filter(cluster=cluster).exists():
        Survey.objects.create(cluster=cluster, year=2026, title="Member satisfaction survey",
                              created_by=get_user_model().objects.get(
                                  username=USERS["coordinator"]))
