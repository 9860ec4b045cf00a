"""Every API write endpoint × every related field × every role × hidden / foreign / missing.

Endpoints come from the API router, fields from each serializer (``serializer.fields``),
so a new endpoint or a new related field is covered without touching this file; a new
endpoint only needs a valid payload in ``PAYLOADS`` (the test says so if it is missing).

For each role (anonymous, representative, coordinator, evaluator — a signed-in user with
no registry role, as ``demo-evaluator`` — and programme administrator) and each write
(POST create, PATCH of a record of the role's own where it has one):

* a hidden target (one the role may not see) and a target that does not exist get the
  same status and the same body, and nothing is written;
* a foreign target (visible, not the role's own) is refused or, if accepted, is one the
  rules allow (visible; editable when it is the record's parent; a current member where
  ``permissions.MEMBERS_ONLY`` says so);
* no answer is a 5xx.

Page forms: every registry ModelForm with a related field takes its choices from the
same rule (``ScopedChoicesMixin``); forms of other apps that name registry records get
their choices from a required argument computed by the view.
"""

from __future__ import annotations

import importlib
import inspect

import pytest
from django import forms as django_forms
from django.db import models
from rest_framework.relations import ManyRelatedField, RelatedField

from klaster.web.api.urls import router
from klaster.web.registry import permissions as perms
from klaster.web.registry.models import (
    Activity,
    Cluster,
    CoordinatorProfile,
    Document,
    JoinRequest,
    Membership,
    Organisation,
    PartnerRequest,
    Project,
)

from .conftest import api_client

pytestmark = pytest.mark.django_db

REGISTRY_MODELS = [Cluster, Organisation, Membership, Activity, Project, PartnerRequest,
                   CoordinatorProfile, Document, JoinRequest]
ROLES = ["anonymous", "representative", "coordinator", "evaluator", "admin"]


def _related_fields():
    """(basename, viewset, field name, target model, many) for every writable related
    field of every endpoint that accepts writes."""
    out = []
    for _prefix, viewset, basename in router.registry:
        serializer = viewset.serializer_class()
        for name, field in serializer.fields.items():
            if field.read_only or not isinstance(field, (RelatedField, ManyRelatedField)):
                continue
            many = isinstance(field, ManyRelatedField)
            target = (field.child_relation if many else field).queryset.model
            out.append((basename, viewset, name, target, many))
    return out


RELATED = _related_fields()


def test_every_endpoint_is_enumerated():
    """The enumeration is not empty by accident, and extra actions are known."""
    assert {b for b, *_ in RELATED} >= {"cluster", "membership", "activity", "project",
                                        "partnerrequest", "profile", "document",
                                        "joinrequest"}
    for _prefix, viewset, basename in router.registry:
        for action in viewset.get_extra_actions():
            # An action that takes a related record would need its own entry here.
            assert (basename, action.__name__) in {("joinrequest", "decide")}, (
                f"new API action {basename}.{action.__name__}: add it to this test")


@pytest.fixture
def world(registry, make_user):
    r = dict(registry)
    r["evaluator"] = make_user("evaluator")
    foreign = Cluster.objects.create(name_en="Foreign cluster", status="operating",
                                     published=True)
    foreign.coordinators.add(r["coord_b"])
    org_f = Organisation.objects.create(name_en="Foreign org", id_scheme="NIP",
                                        id_value="7740001454", helix="business",
                                        approved=True)
    Membership.objects.create(organisation=org_f, cluster=foreign)
    own, org_a = r["published"], r["org_a"]
    r.update(foreign=foreign, org_f=org_f)
    r["records"] = {
        "cluster": own,
        "organisation": org_a,
        "membership": Membership.objects.get(organisation=org_a, cluster=own),
        "activity": Activity.objects.create(cluster=own, kind="training", title="A",
                                            start="2024-01-01"),
        "project": Project.objects.create(cluster=own, title="P"),
        "partnerrequest": PartnerRequest.objects.create(organisation=org_a, kind="seek",
                                                        topic="T"),
        "profile": CoordinatorProfile.objects.create(cluster=own, year=2020),
        "document": Document.objects.create(cluster=own, title="D",
                                            url="https://example.org/d"),
    }
    return r


def _payload(basename, w):
    own, org_a = w["published"], w["org_a"]
    payloads = {
        "cluster": {"name_en": "New", "status": "forming", "code_system": "nace2",
                    "coordinator_organisation": org_a.pk},
        "organisation": {"name_en": "New org", "id_scheme": "NIP", "id_value": "1234563218",
                         "helix": "business"},
        "membership": {"organisation": w["org_f"].pk, "cluster": own.pk},
        "activity": {"cluster": own.pk, "kind": "training", "title": "T",
                     "start": "2024-01-01", "participants": [org_a.pk]},
        "project": {"cluster": own.pk, "title": "P2", "partners": [org_a.pk]},
        "partnerrequest": {"organisation": org_a.pk, "cluster": own.pk, "kind": "seek",
                           "topic": "Lasers"},
        "profile": {"cluster": own.pk, "year": 2021},
        "document": {"cluster": own.pk, "title": "D2", "url": "https://example.org/e"},
        "joinrequest": {"organisation": org_a.pk, "cluster": w["foreign"].pk},
    }
    assert basename in payloads, f"add a valid payload for the new endpoint {basename!r}"
    return dict(payloads[basename])


def _user(role, w):
    return {"anonymous": None, "representative": w["rep_a"], "coordinator": w["coord_a"],
            "evaluator": w["evaluator"], "admin": w["admin"]}[role]


def _snapshot():
    """Every registry row and every many-to-many link (what a write could change)."""
    state = {}
    for model in REGISTRY_MODELS:
        state[model.__name__] = list(model.objects.order_by("pk").values())
        for m2m in model._meta.many_to_many:
            through = m2m.remote_field.through
            state[through.__name__] = list(through.objects.order_by("pk").values())
    return state


def _targets(role, target, w):
    """hidden (None when the role sees everything), foreign, missing — for ``target``."""
    user = _user(role, w)
    from django.contrib.auth.models import AnonymousUser
    visible = perms.visible(target, user or AnonymousUser())
    hidden = target.objects.exclude(pk__in=visible.values("pk")).order_by("pk").first()
    foreign = {Cluster: w["foreign"], Organisation: w["org_f"]}.get(target)
    missing = (target.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 999
    return hidden, foreign, missing


def _allowed(user, viewset, field, target_obj, cluster):
    """Would the rules allow naming ``target_obj`` here? (the check of an accepted write;
    ``cluster``: the cluster of the record written)"""
    from django.contrib.auth.models import AnonymousUser
    user = user or AnonymousUser()
    if not perms.visible(type(target_obj), user).filter(pk=target_obj.pk).exists():
        return False
    if field == getattr(viewset, "parent_field", None) and not perms.can_edit(user, target_obj):
        return False
    model = viewset.serializer_class.Meta.model
    cluster_field = perms.MEMBERS_ONLY.get((model, field))
    if cluster_field:
        return Membership.objects.filter(organisation=target_obj, cluster=cluster,
                                         left__isnull=True).exists()
    return True


@pytest.mark.parametrize(("basename", "viewset", "field", "target", "many"), RELATED,
                         ids=[f"{b}.{f}" for b, _v, f, _t, _m in RELATED])
def test_related_field_targets(world, basename, viewset, field, target, many):
    problems = []
    methods = ["post"]
    if "patch" in getattr(viewset, "http_method_names", ["patch"]) and hasattr(
            viewset, "partial_update"):
        methods.append("patch")
    for role in ROLES:
        user = _user(role, world)
        client = api_client(user)
        hidden, foreign, missing = _targets(role, target, world)
        for method in methods:
            record = world["records"].get(basename) if method == "patch" else None
            if method == "patch" and record is None:
                problems.append(f"{basename}: no record to PATCH; add one to the fixture")
                continue

            def send(value, _method=method, _record=record):
                data = (_payload(basename, world) if _method == "post" else {})
                data[field] = [value] if many else value
                if _record is not None:
                    _record.refresh_from_db()
                    if hasattr(_record, "version"):
                        data["version"] = _record.version
                url = (f"/api/{_prefix(basename)}/" if _method == "post"
                       else f"/api/{_prefix(basename)}/{_record.pk}/")
                before = _snapshot()
                resp = getattr(client, _method)(url, data, format="json")
                return resp, before == _snapshot()

            where = f"{role} {method.upper()} {basename}.{field}"
            answers = {}
            for kind, value in (("hidden", hidden and hidden.pk), ("missing", missing)):
                if value is None:
                    continue
                resp, unchanged = send(value)
                answers[kind] = (resp.status_code, resp.content)
                if resp.status_code >= 500 or resp.status_code < 400:
                    problems.append(f"{where} {kind}: answered {resp.status_code}")
                if not unchanged:
                    problems.append(f"{where} {kind}: something was written")
                if resp.status_code == 400 and field not in resp.json():
                    problems.append(f"{where} {kind}: 400 without naming {field}")
            if len(answers) == 2 and answers["hidden"] != answers["missing"]:
                problems.append(f"{where}: hidden {answers['hidden']} differs from missing "
                                f"{answers['missing']}")
            if foreign is not None:
                resp, unchanged = send(foreign.pk)
                if resp.status_code >= 500:
                    problems.append(f"{where} foreign: answered {resp.status_code}")
                elif resp.status_code < 400:
                    # Creation payloads name the own cluster (see _payload).
                    cluster = getattr(record, "cluster", world["published"])
                    if not _allowed(user, viewset, field, foreign, cluster):
                        problems.append(f"{where} foreign: accepted a target the rules "
                                        f"refuse ({resp.status_code})")
                elif not unchanged:
                    problems.append(f"{where} foreign: refused ({resp.status_code}) yet "
                                    f"something was written")
    assert not problems, "\n".join(problems)


def _prefix(basename):
    return next(p for p, _v, b in router.registry if b == basename)


# --- page forms: the same rule ------------------------------------------------------------

FORM_MODULES = ["klaster.web.registry.forms", "klaster.web.assessment.forms",
                "klaster.web.matchmaking.forms", "klaster.web.analysis.forms"]


def test_page_forms_use_the_same_rule_for_every_related_field():
    from klaster.web.registry.forms import ScopedChoicesMixin

    checked = []
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for name, cls in vars(module).items():
            if not (inspect.isclass(cls) and issubclass(cls, django_forms.ModelForm)
                    and getattr(getattr(cls, "_meta", None), "model", None)):
                continue
            for field_name, field in cls.base_fields.items():
                if not isinstance(field, django_forms.ModelChoiceField):
                    continue
                related = field.queryset.model if field.queryset is not None else None
                if related not in REGISTRY_MODELS:
                    continue
                checked.append(f"{name}.{field_name}")
                if issubclass(cls, ScopedChoicesMixin):
                    continue
                # Otherwise the view must hand the choices in: a required argument.
                params = inspect.signature(cls.__init__).parameters
                required = [p for p in params.values() if p.kind is p.KEYWORD_ONLY
                            and p.default is p.empty]
                assert required, (f"{module_name}.{name}.{field_name} offers "
                                  f"{related.__name__} records without the permission rule")
    assert {"ClusterForm.coordinator_organisation", "ProjectForm.partners",
            "JoinRequestForm.cluster"} <= set(checked)


def test_scoped_forms_refuse_hidden_choices(world):
    from klaster.web.registry.forms import ClusterForm, ProjectForm

    cluster_form = ClusterForm(user=world["coord_a"], instance=world["published"])
    offered = set(cluster_form.fields["coordinator_organisation"].queryset)
    assert world["org_b"] not in offered and world["org_a"] in offered
    project_form = ProjectForm(user=world["coord_a"],
                               instance=Project(cluster=world["published"]))
    # Members of the cluster only: org_f is visible but not a member.
    assert set(project_form.fields["partners"].queryset) == {world["org_a"]}
    assert isinstance(Project._meta.get_field("partners"), models.ManyToManyField)
