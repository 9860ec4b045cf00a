"""The inventory of personal data: every model field that holds it, in one place.

Each entry says what the field is (category), why it is kept (purpose), on what legal
basis (``"deployment"`` = the basis the operator configured, see conf.LEGAL_BASES), how
long (retention), how to find the person's rows (``subject``: a lookup from the model to
the user, used by the access export and by erasure), and what erasure does (``erase``).
Fields that look personal by their name or type but are not (organisation names, group
names...) are listed as :class:`NotPersonal` with the reason, so that the inventory test
(tests/web/privacy/test_inventory.py) can fail on any new field that looks personal and is
in neither list (GDPR Art. 30: the register of processing is kept from this list;
Art. 25: data protection by design).

Historical models (django-simple-history) inherit the entries of their model (the history
keeps earlier values of the same fields, for the history retention) and add the two
``history_user`` / ``history_change_reason`` columns described by HISTORY_FIELDS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# --- vocabulary (translated; the register of processing prints these) -------------------

IDENTITY = _("identity (name, user name)")
CONTACT = _("contact details (e-mail address)")
CREDENTIAL = _("credentials (password hash, API token, session)")
ONLINE = _("online identifiers (IP address, browser, log-in times)")
ROLE = _("role and activity in the programme (who did what)")
FREE_TEXT = _("free text written by the person (may contain any personal data)")
PRIVACY = _("privacy choices (consent, objection, requests)")

P_ACCOUNT = _("user accounts: sign-in and contact with the programme")
P_SECURITY = _("security: sign-in protection and lock-out after failed attempts")
P_PROGRAMME = _("running the cluster programme: registry, requests, events, decisions")
P_ASSESSMENT = _("assessment of clusters: evaluation, decisions, appeals, surveys")
P_AUDIT = _("audit trail: who changed which record and when")
P_PRIVACY = _("proof of consent and handling of data-subject requests")
P_CONTACT_PERSON = _("publishing a cluster's contact person, with that person's consent")

R_ACCOUNT = _("while the account is used; anonymised after the configured inactivity "
              "period or on erasure")
R_SESSION = _("until sign-out or session expiry (two weeks)")
R_LOCKOUT = _("until a successful sign-in or erasure; pruned with the history period")
R_HISTORY = _("the configured history period, then pruned (the newest version is kept)")
R_RECORD = _("as long as the record it belongs to; the person is pseudonymised on erasure")
R_PRIVACY = _("as long as the account, then kept pseudonymised as proof")
R_CONTACT_PERSON = _("until the consent is withdrawn, the person is replaced or erased")

DEPLOYMENT = "deployment"  # the basis configured for the deployment (conf.LEGAL_BASES)


@dataclass(frozen=True)
class Personal:
    category: object
    purpose: object
    retention: object
    subject: str | None  # lookup from the model to the user: "pk", "requested_by", ...
    erase: str  # anonymise | keep-pseudonym | delete-row | scrub | remove-link | clear
    basis: str = DEPLOYMENT
    export: bool = True  # False for secrets (password hash, token key, session data)


@dataclass(frozen=True)
class NotPersonal:
    reason: str


def _user_link(purpose, subject, *, retention=R_RECORD) -> Personal:
    return Personal(ROLE, purpose, retention, subject, "keep-pseudonym")


def _free_text(purpose, subject) -> Personal:
    return Personal(FREE_TEXT, purpose, R_RECORD, subject, "scrub")


ORG_NAME = NotPersonal("name of an organisation or cluster, not of a person (a sole trader's "
                       "business name can name a person: identifier scrubbing on erasure "
                       "covers that)")
ORG_TEXT = NotPersonal("organisation's or cluster's text; identifiers of an erased person "
                       "are scrubbed from it")
STATS_NAME = NotPersonal("name of a region or statistical cluster")

FIELDS: dict[str, Personal | NotPersonal] = {
    # --- django.contrib.auth: the account --------------------------------------------
    "auth.User.username": Personal(IDENTITY, P_ACCOUNT, R_ACCOUNT, "pk", "anonymise"),
    "auth.User.first_name": Personal(IDENTITY, P_ACCOUNT, R_ACCOUNT, "pk", "anonymise"),
    "auth.User.last_name": Personal(IDENTITY, P_ACCOUNT, R_ACCOUNT, "pk", "anonymise"),
    "auth.User.email": Personal(CONTACT, P_ACCOUNT, R_ACCOUNT, "pk", "anonymise"),
    "auth.User.password": Personal(CREDENTIAL, P_ACCOUNT, R_ACCOUNT, "pk", "anonymise",
                                   export=False),
    "auth.User.last_login": Personal(ONLINE, P_SECURITY, R_ACCOUNT, "pk", "anonymise"),
    "auth.User.date_joined": Personal(ONLINE, P_ACCOUNT, R_ACCOUNT, "pk", "keep-pseudonym"),
    "auth.User_groups.user": Personal(ROLE, P_ACCOUNT, R_ACCOUNT, "user", "remove-link"),
    "auth.User_user_permissions.user": Personal(ROLE, P_ACCOUNT, R_ACCOUNT, "user",
                                                "remove-link"),
    "auth.Group.name": NotPersonal("name of a role"),
    "auth.Permission.name": NotPersonal("name of a permission"),
    # --- admin log, sessions, API tokens -----------------------------------------------
    "admin.LogEntry.user": _user_link(P_AUDIT, "user", retention=R_HISTORY),
    "admin.LogEntry.change_message": _free_text(P_AUDIT, "user"),
    "admin.LogEntry.object_repr": Personal(IDENTITY, P_AUDIT, R_HISTORY, None, "scrub"),
    "sessions.Session.session_key": Personal(CREDENTIAL, P_ACCOUNT, R_SESSION, None,
                                             "delete-row", export=False),
    "sessions.Session.session_data": Personal(CREDENTIAL, P_ACCOUNT, R_SESSION, None,
                                              "delete-row", export=False),
    "authtoken.Token.user": Personal(CREDENTIAL, P_ACCOUNT, R_ACCOUNT, "user", "delete-row"),
    "authtoken.Token.key": Personal(CREDENTIAL, P_ACCOUNT, R_ACCOUNT, "user", "delete-row",
                                    export=False),
    "authtoken.TokenProxy.user": Personal(CREDENTIAL, P_ACCOUNT, R_ACCOUNT, None,
                                          "delete-row"),
    # --- django-axes: sign-in attempts (keyed by user name, not by user id) -------------
    **{f"axes.{model}.{field}": Personal(
        IDENTITY if field == "username" else ONLINE, P_SECURITY, R_LOCKOUT, "username",
        "delete-row", basis="legitimate_interests")
       for model in ("AccessAttempt", "AccessLog", "AccessFailureLog")
       for field in ("username", "ip_address", "user_agent", "http_accept", "path_info")},
    "axes.AccessLog.session_hash": Personal(CREDENTIAL, P_SECURITY, R_LOCKOUT, "username",
                                            "delete-row", basis="legitimate_interests",
                                            export=False),
    # --- registry ---------------------------------------------------------------------
    **{f"registry.{model}.name_{lang}": ORG_NAME
       for model in ("Organisation", "Cluster") for lang in ("en", "pl", "be", "ru")},
    "registry.Organisation.representatives": _user_link(P_PROGRAMME, "representatives"),
    "registry.Organisation_representatives.user": _user_link(P_PROGRAMME, "user"),
    "registry.Cluster.coordinators": _user_link(P_PROGRAMME, "coordinators"),
    "registry.Cluster_coordinators.user": _user_link(P_PROGRAMME, "user"),
    **{f"registry.Cluster.description{lang}": ORG_TEXT for lang in ("", "_pl", "_be", "_ru")},
    **{f"registry.{model}.description{lang}": ORG_TEXT
       for model in ("Activity", "PartnerRequest") for lang in ("", "_pl", "_be", "_ru")},
    # A cluster's contact person (not necessarily a user): published on consent only
    # (Cluster.contact_published). Found for access by the account's e-mail address;
    # erasure ("clear") empties the contact and the consent on every cluster naming the
    # person (services.clear_contact_persons), and the history keeps earlier values for
    # the history period like every other field.
    **{f"registry.Cluster.{field}": Personal(
        category, P_CONTACT_PERSON, R_CONTACT_PERSON, "contact_email", "clear",
        basis="consent")
       for field, category in (("contact_name", IDENTITY), ("contact_role", ROLE),
                               ("contact_role_pl", ROLE), ("contact_role_be", ROLE),
                               ("contact_role_ru", ROLE), ("contact_email", CONTACT),
                               ("contact_phone", CONTACT))},
    **{f"registry.Cluster.{field}": Personal(
        PRIVACY, P_CONTACT_PERSON, R_CONTACT_PERSON, "contact_email", "clear",
        basis="legal_obligation")
       for field in ("contact_consent_name", "contact_consent_at", "contact_consent_text")},
    "registry.Cluster.contact_consent_recorded_by": _user_link(P_CONTACT_PERSON,
                                                               "contact_consent_recorded_by"),
    "registry.Document.uploaded_by": _user_link(P_PROGRAMME, "uploaded_by"),
    "registry.JoinRequest.requested_by": _user_link(P_PROGRAMME, "requested_by"),
    "registry.JoinRequest.decided_by": _user_link(P_PROGRAMME, "decided_by"),
    "registry.JoinRequest.message": _free_text(P_PROGRAMME, "requested_by"),
    # --- assessment -------------------------------------------------------------------
    "assessment.Call.created_by": _user_link(P_ASSESSMENT, "created_by"),
    "assessment.Application.decided_by": _user_link(P_ASSESSMENT, "decided_by"),
    "assessment.Application.decision_note": NotPersonal(
        "the programme's reasons for a decision about a cluster"),
    "assessment.Evidence.note": ORG_TEXT,
    "assessment.EvaluatorAssignment.evaluator": _user_link(P_ASSESSMENT, "evaluator"),
    "assessment.EvaluatorAssignment.assigned_by": _user_link(P_ASSESSMENT, "assigned_by"),
    "assessment.EvaluatorAssignment.comment": _free_text(P_ASSESSMENT, "evaluator"),
    "assessment.Appeal.filed_by": _user_link(P_ASSESSMENT, "filed_by"),
    "assessment.Appeal.resolved_by": _user_link(P_ASSESSMENT, "resolved_by"),
    "assessment.Appeal.reason": _free_text(P_ASSESSMENT, "filed_by"),
    "assessment.Survey.created_by": _user_link(P_ASSESSMENT, "created_by"),
    "assessment.SurveyResponse.respondent": _user_link(P_ASSESSMENT, "respondent"),
    "assessment.SurveyResponse.comment": _free_text(P_ASSESSMENT, "respondent"),
    # --- matchmaking ------------------------------------------------------------------
    "matchmaking.Contact.accepted_by": _user_link(P_PROGRAMME, "accepted_by"),
    "matchmaking.Dismissal.dismissed_by": _user_link(P_PROGRAMME, "dismissed_by"),
    "matchmaking.ProximityTable.uploaded_by": _user_link(P_PROGRAMME, "uploaded_by"),
    "matchmaking.ProximityTable.original_name": NotPersonal("name of an uploaded table file"),
    "matchmaking.Event.created_by": _user_link(P_PROGRAMME, "created_by"),
    "matchmaking.Participant.registered_by": _user_link(P_PROGRAMME, "registered_by"),
    # --- analysis ---------------------------------------------------------------------
    "analysis.Dataset.created_by": _user_link(P_PROGRAMME, "created_by"),
    "analysis.Dataset.file_name": NotPersonal("name of an uploaded statistics file"),
    "analysis.PotentialClusterRecord.recorded_by": _user_link(P_PROGRAMME, "recorded_by"),
    "analysis.RegionCluster.region_name": STATS_NAME,
    "analysis.RegionCluster.cluster_name": STATS_NAME,
    "analysis.RegionSummary.name": STATS_NAME,
    "analysis.Opportunity.cluster_name": STATS_NAME,
    # --- privacy (this app) -------------------------------------------------------------
    "privacy.ConsentRecord.user": Personal(PRIVACY, P_PRIVACY, R_PRIVACY, "user",
                                           "keep-pseudonym", basis="legal_obligation"),
    "privacy.PrivacyPreference.user": Personal(PRIVACY, P_PRIVACY, R_PRIVACY, "user",
                                               "keep-pseudonym", basis="legal_obligation"),
    "privacy.ErasureRequest.user": Personal(PRIVACY, P_PRIVACY, R_PRIVACY, "user",
                                            "keep-pseudonym", basis="legal_obligation"),
    "privacy.ErasureRequest.requested_by": Personal(PRIVACY, P_PRIVACY, R_PRIVACY,
                                                    "requested_by", "keep-pseudonym",
                                                    basis="legal_obligation"),
    "privacy.ErasureRequest.done_by": Personal(PRIVACY, P_PRIVACY, R_PRIVACY, "done_by",
                                               "keep-pseudonym", basis="legal_obligation"),
    "privacy.ErasureRequest.message": _free_text(P_PRIVACY, "user"),
    "privacy.AccessLogEntry.actor": Personal(ROLE, P_AUDIT, R_HISTORY, "actor",
                                             "keep-pseudonym", basis="legal_obligation"),
    "privacy.AccessLogEntry.subject": Personal(ROLE, P_AUDIT, R_HISTORY, "subject",
                                               "keep-pseudonym", basis="legal_obligation"),
    "privacy.AccessLogEntry.actor_label": Personal(IDENTITY, P_AUDIT, R_HISTORY, "actor",
                                                   "scrub", basis="legal_obligation"),
}

# Columns every simple-history table adds (the audit trail: who, when, why).
HISTORY_FIELDS: dict[str, Personal] = {
    "history_user": Personal(ROLE, P_AUDIT, R_HISTORY, "history_user", "keep-pseudonym"),
    "history_change_reason": Personal(FREE_TEXT, P_AUDIT, R_HISTORY, "history_user", "scrub"),
}

# A field "looks personal" by its type, its target (the user model) or its name.
LOOKS_PERSONAL = re.compile(
    r"(^|_)(name|names|first_name|last_name|full_name|email|e_?mail|phone|mobile|fax|tel|"
    r"contact|contacts|address|ip|ip_address|user_agent|username|login|person|people|author|"
    r"respondent|comment|message|reason|note|description|session|birth|passport|pesel)(_|$)")


def is_historical(model) -> bool:
    return hasattr(model, "instance_type")  # set by simple-history on historical models


def fields_of(model) -> list:
    """Concrete fields and many-to-many fields declared on the model."""
    return [f for f in model._meta.get_fields()
            if getattr(f, "concrete", False) or (f.many_to_many and not f.auto_created)]


def _points_at_user(field) -> bool:
    target = getattr(field, "related_model", None)
    return bool(field.is_relation and target is not None
                and target._meta.label == settings.AUTH_USER_MODEL)


def looks_personal(field) -> bool:
    return (isinstance(field, (models.EmailField, models.GenericIPAddressField))
            or _points_at_user(field) or bool(LOOKS_PERSONAL.search(field.name)))


def entry(model, field_name: str) -> Personal | NotPersonal | None:
    """The inventory entry of ``model.field_name`` (historical models inherit theirs)."""
    label = model._meta.label
    if is_historical(model):
        if field_name in HISTORY_FIELDS:
            return HISTORY_FIELDS[field_name]
        item = FIELDS.get(f"{model.instance_type._meta.label}.{field_name}")
        # Earlier values live as long as the history, not as the record.
        return replace(item, retention=R_HISTORY) if isinstance(item, Personal) else item
    return FIELDS.get(f"{label}.{field_name}")


def all_models():
    return apps.get_models(include_auto_created=True)


def personal_fields():
    """(model, field name, Personal) for every personal field of every installed model."""
    out = []
    for model in all_models():
        for field in fields_of(model):
            item = entry(model, field.name)
            if isinstance(item, Personal):
                out.append((model, field.name, item))
    return out


def unmarked_fields() -> list[str]:
    """'app.Model.field' of each field that looks personal and is in no list."""
    missing = []
    for model in all_models():
        for field in fields_of(model):
            if looks_personal(field) and entry(model, field.name) is None:
                missing.append(f"{model._meta.label}.{field.name}")
    return missing


def stale_entries() -> list[str]:
    """Inventory keys naming no existing field (a renamed or removed field)."""
    known = {f"{m._meta.label}.{f.name}" for m in all_models() for f in fields_of(m)}
    return sorted(set(FIELDS) - known)
