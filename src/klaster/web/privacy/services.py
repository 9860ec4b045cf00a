"""The data subject's rights carried out on the database: access (export), erasure,
consent and objection; and the log of administrators' access to personal data.

Everything is driven by the inventory (klaster.web.privacy.inventory): a field added there
with a ``subject`` lookup is exported and erased without touching this module.
"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import io
import json
import re
import secrets
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from klaster.web.privacy import conf
from klaster.web.privacy.inventory import Personal, all_models, fields_of, personal_fields
from klaster.web.privacy.models import (
    AccessLogEntry,
    ConsentRecord,
    ErasureRequest,
    PrivacyPreference,
)

ERASED = "[erased]"
PSEUDONYM_PREFIX = "erased-"


# --- consent and objection ---------------------------------------------------------------

def record_consent(user, context: str) -> ConsentRecord | None:
    """Record that ``user`` consented (or was informed, under another basis) under the
    current notice version in ``context``."""
    if not getattr(user, "is_authenticated", False):
        return None
    cfg = conf.get()
    record = ConsentRecord.objects.create(user=user, context=context,
                                          notice_version=cfg.notice_version,
                                          basis=cfg.legal_basis)
    user._privacy_current = (cfg.notice_version, True)
    return record


def has_current_consent(user) -> bool:
    """Whether ``user`` answered the current notice version (remembered on the user object
    for the rest of the request: the gate and the banner ask the same question)."""
    cfg = conf.get()
    cached = getattr(user, "_privacy_current", None)
    if cached is not None and cached[0] == cfg.notice_version:
        return cached[1]
    answer = ConsentRecord.objects.filter(user=user, notice_version=cfg.notice_version,
                                          withdrawn__isnull=True).exists()
    user._privacy_current = (cfg.notice_version, answer)
    return answer


def withdraw_consent(user) -> int:
    """Withdraw every standing consent (GDPR Art. 7(3); Law No. 99-Z Art. 10)."""
    user._privacy_current = None
    return ConsentRecord.objects.filter(user=user, withdrawn__isnull=True).update(
        withdrawn=timezone.now())


def set_email_objection(user, objects: bool) -> None:
    PrivacyPreference.objects.update_or_create(user=user, defaults={"no_emails": objects})


def objects_to_emails(user) -> bool:
    return PrivacyPreference.objects.filter(user=user, no_emails=True).exists()


# --- access log ----------------------------------------------------------------------------

def log_access(actor, subject, action: str, what: str) -> AccessLogEntry:
    """Record that ``actor`` (a user, or None for the command line) did ``action`` to the
    personal data of ``subject``."""
    label = ""
    if actor is None or not getattr(actor, "is_authenticated", False):
        actor = None
        try:
            label = "command line: " + getpass.getuser()
        except (KeyError, OSError):  # no user name in a container
            label = "command line"
    return AccessLogEntry.objects.create(actor=actor, actor_label=label[:150],
                                         subject=subject, action=action, what=what[:300])


# --- access and portability (GDPR Art. 15, 20; Law No. 99-Z Art. 11) -----------------------

def _plain(value):
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def _subject_lookups() -> dict:
    """{model: {subject lookup: [personal field names exported]}} from the inventory."""
    out: dict = {}
    for model, name, item in personal_fields():
        if item.subject is None or item.subject == "username":
            continue
        out.setdefault(model, {}).setdefault(item.subject, [])
        if item.export:
            out[model][item.subject].append(name)
    return out


def _rows(model, lookup: str, user) -> models.QuerySet:
    if lookup.endswith("email"):
        # A person named in a record without an account link (a cluster's contact
        # person) is found by the account's e-mail address.
        if not user.email:
            return model._base_manager.none()
        return model._base_manager.filter(**{f"{lookup}__iexact": user.email}).distinct()
    value = user.get_username() if lookup == "username" else user.pk
    return model._base_manager.filter(**{lookup: value}).distinct()


def export_person(user) -> dict:
    """Everything the database holds about ``user``: per model (history tables included),
    the rows found through every inventory lookup, with all their columns except secrets
    (password hash, token key, session data)."""
    from klaster.web.privacy.inventory import entry

    records: dict[str, list[dict]] = {}
    for model, lookups in _subject_lookups().items():
        secrets_ = {f.name for f in fields_of(model)
                    if isinstance(entry(model, f.name), Personal)
                    and not entry(model, f.name).export}
        seen: dict = {}
        for lookup in lookups:
            for obj in _rows(model, lookup, user):
                row = {f.attname: _plain(getattr(obj, f.attname))
                       for f in fields_of(model) if not f.many_to_many
                       and f.name not in secrets_}
                row["_found_by"] = sorted({*seen.get(obj.pk, {}).get("_found_by", []), lookup})
                seen[obj.pk] = row
        if seen:
            records[model._meta.label] = [seen[k] for k in sorted(seen, key=str)]
    # django-axes keys sign-in attempts by user name, not by user id.
    from klaster.web.privacy.inventory import FIELDS

    for label in sorted({k.rsplit(".", 1)[0] for k, v in FIELDS.items()
                         if isinstance(v, Personal) and v.subject == "username"}):
        from django.apps import apps

        model = apps.get_model(label)
        rows = [{f.attname: _plain(getattr(o, f.attname)) for f in fields_of(model)
                 if not (isinstance(entry(model, f.name), Personal)
                         and not entry(model, f.name).export)}
                for o in _rows(model, "username", user)]
        if rows:
            records[label] = rows
    cfg = conf.get()
    return {
        "generated": timezone.now(),
        "notice_version": cfg.notice_version,
        "controller": cfg.controller,
        "person": {"id": user.pk, "username": user.get_username(),
                   "first_name": user.first_name, "last_name": user.last_name,
                   "email": user.email},
        "records": records,
    }


def export_json(user) -> str:
    return json.dumps(export_person(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def write_private(path, text: str) -> None:
    """Write a personal-data file readable by its owner only (0600), atomically: a
    temporary file beside it is renamed over it, so no reader sees half of it."""
    import os
    import tempfile
    from pathlib import Path

    path = Path(path)
    if not path.parent.is_dir():
        from django.core.management.base import CommandError

        raise CommandError(f"{path.parent}: output directory does not exist")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def export_csv(user) -> str:
    """The same data as one long table: table, row id, column, value (tabular portability
    for spreadsheets)."""
    data = export_person(user)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "row", "column", "value"])
    for label, rows in data["records"].items():
        for row in rows:
            for column, value in row.items():
                if column == "_found_by":
                    continue
                text = value if isinstance(value, str) else json.dumps(
                    value, cls=DjangoJSONEncoder, ensure_ascii=False)
                if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    text = "'" + text  # a spreadsheet must not run it (OWASP CSV injection)
                writer.writerow([label, row.get("id", row.get("history_id", "")), column, text])
    return out.getvalue()


# --- erasure (GDPR Art. 17; Law No. 99-Z Art. 13) ---------------------------------------

def _phone_pattern(term: str) -> str | None:
    digits = re.sub(r"\D", "", term)
    if len(digits) < 6 or len(digits) < len(re.sub(r"\s", "", term)) - 4:
        return None
    sep = r"[\s\-./()]*"
    variants = {digits}
    if len(digits) > 9:
        variants.add(digits[-9:])  # the national number without the country code
    return "|".join(r"(?<!\d)(?:\+?" + sep.join(v) + r")(?!\d)" for v in
                    sorted(variants, key=len, reverse=True))


def identifiers(user, extra: Iterable[str] = ()) -> list[str]:
    """The strings that identify the person and are scrubbed from every text column."""
    terms = []
    full = f"{user.first_name} {user.last_name}".strip()
    if user.first_name and user.last_name:
        terms += [full, f"{user.last_name} {user.first_name}"]
    if user.email:
        terms.append(user.email)
    username = user.get_username()
    if username and not username.startswith(PSEUDONYM_PREFIX) and len(username) >= 4:
        terms.append(username)
    terms += [t.strip() for t in extra if t and len(t.strip()) >= 4]
    return terms


def terms_from_message(text: str) -> list[str]:
    """Phone numbers and e-mail addresses a person listed in an erasure request."""
    phones = re.findall(r"\+?\d[\d\s\-./()]{4,}\d", text or "")
    emails = re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text or "")
    return [p.strip() for p in phones if sum(c.isdigit() for c in p) >= 6] + emails


def _pattern(terms: Iterable[str]) -> re.Pattern | None:
    parts = []
    for term in sorted(set(terms), key=len, reverse=True):
        phone = _phone_pattern(term)
        if phone:
            parts.append(phone)
        # Whole words only: "Anna" must not eat "Annapolis".
        parts.append(r"(?<!\w)" + re.escape(term) + r"(?!\w)")
        escaped = json.dumps(term)[1:-1]
        if escaped != term:  # JSON columns may hold the \u-escaped form
            parts.append(r"(?<!\w)" + re.escape(escaped) + r"(?!\w)")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _scrub_json(value, pattern):
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, list):
        return [_scrub_json(v, pattern) for v in value]
    if isinstance(value, dict):
        return {_scrub_json(k, pattern): _scrub_json(v, pattern) for k, v in value.items()}
    return value


TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.FileField)


def scrub_everywhere(terms: Iterable[str]) -> dict[str, int]:
    """Replace each identifier in every text column of every table (history tables, admin
    log, JSON columns and file names included) by ``[erased]``; {table: rows changed}.

    The replacement is a plain UPDATE (no save()): it must not write new history rows
    holding the very values being removed.
    """
    pattern = _pattern(terms)
    counts: dict[str, int] = {}
    if pattern is None:
        return counts
    for model in all_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in fields_of(model) if isinstance(f, TEXT_FIELDS)
                  and not f.many_to_many and not f.primary_key]
        if not fields:
            continue
        names = [f.attname for f in fields]
        manager = model._base_manager
        changed = 0
        for row in manager.values_list("pk", *names).iterator(chunk_size=2000):
            update = {}
            for field, value in zip(fields, row[1:], strict=True):
                if value is None:
                    continue
                if isinstance(field, models.JSONField):
                    new = _scrub_json(value, pattern)
                else:
                    new = pattern.sub(ERASED, value)
                if new != value:
                    if isinstance(field, models.FileField):
                        new = _rename_file(field, value, new)
                    update[field.attname] = new
            if update:
                manager.filter(pk=row[0]).update(**update)
                changed += 1
        if changed:
            counts[model._meta.db_table] = changed
    return counts


def _rename_file(field, old: str, new: str) -> str:
    """A stored file whose name holds an identifier is saved again under the scrubbed
    name (the old file is deleted); the new name is what the column gets."""
    storage = field.storage
    new = new.replace("[", "").replace("]", "")
    try:
        if storage.exists(old):
            with storage.open(old, "rb") as handle:
                saved = storage.save(new, handle)
            storage.delete(old)
            return saved
    except OSError:
        pass
    return new


def clear_contact_persons(terms: Iterable[str]) -> int:
    """Remove the contact person (details and consent) from every cluster whose contact's
    name, e-mail or phone is one of the erased person's identifiers; the number of
    clusters changed. Done before the scrub, so no "[erased]" contact is left published.
    A plain UPDATE, like the scrub: no new history row holding the values removed."""
    from klaster.web.registry.models import Cluster

    pattern = _pattern(terms)
    if pattern is None:
        return 0
    doomed = [pk for pk, *values in Cluster.objects.exclude(contact_name="", contact_email="",
                                                            contact_phone="")
              .values_list("pk", "contact_name", "contact_email", "contact_phone")
              if any(v and pattern.search(v) for v in values)]
    cleared = Cluster(pk=None)
    cleared.clear_contact_person()
    blank = {f: getattr(cleared, f) for f in Cluster.CONTACT_FIELDS + Cluster.CONSENT_FIELDS}
    changed = Cluster.objects.filter(pk__in=doomed).update(**blank)
    if changed:
        # An UPDATE sends no signal: the public pages cached with the contact on them
        # must go now (klaster.web.portal.caching).
        from klaster.web.portal.caching import bump_version

        bump_version()
    return changed


def _delete_sessions(user_ids: set[str]) -> int:
    doomed = [s.pk for s in Session.objects.all().iterator()
              if str(s.get_decoded().get("_auth_user_id", "")) in user_ids]
    Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


@transaction.atomic
def erase_people(users: list, *, actor=None, extra_terms: Iterable[str] = ()) -> dict:
    """Erase the personal data of ``users`` everywhere; return counts of what was done.

    The user rows stay (anonymised, unusable password, inactive) so that what others depend
    on keeps working: evaluations keep their scores with the evaluator pseudonymised,
    history rows keep that a change happened and when, organisations keep their
    memberships. Sign-in records, sessions and API tokens are deleted; the person's
    identifiers are scrubbed from every text column of every table.
    """
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from rest_framework.authtoken.models import Token

    counts = {"accounts": 0, "sessions": 0, "tokens": 0, "sign_in_records": 0,
              "links_removed": 0, "text_rows_scrubbed": 0}
    terms: list[str] = list(extra_terms)
    usernames: list[str] = []
    User = get_user_model()
    user_type = ContentType.objects.get_for_model(User)
    for user in users:
        terms += identifiers(user)
        usernames.append(user.get_username())
        pseudonym = PSEUDONYM_PREFIX + secrets.token_hex(6)
        # Access rights are links, not records: an erased person represents no one.
        counts["links_removed"] += (user.represented_organisations.count()
                                    + user.coordinated_clusters.count()
                                    + user.groups.count())
        user.represented_organisations.clear()
        user.coordinated_clusters.clear()
        user.groups.clear()
        user.user_permissions.clear()
        User.objects.filter(pk=user.pk).update(
            username=pseudonym, first_name="", last_name="", email="",
            password="!" + secrets.token_urlsafe(30),  # unusable: never a valid hash
            is_active=False, is_staff=False, is_superuser=False, last_login=None)
        LogEntry.objects.filter(content_type=user_type, object_id=str(user.pk)).update(
            object_repr=pseudonym)
        counts["tokens"] += Token.objects.filter(user=user).delete()[0]
        counts["accounts"] += 1
        ErasureRequest.objects.filter(user=user, status=ErasureRequest.Status.PENDING).update(
            status=ErasureRequest.Status.DONE, done=timezone.now(),
            done_by=actor if getattr(actor, "is_authenticated", False) else None)
        log_access(actor, user, AccessLogEntry.Action.ERASE, "all personal data")
    counts["sessions"] = _delete_sessions({str(u.pk) for u in users})
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        counts["sign_in_records"] += model.objects.filter(username__in=usernames).delete()[0]
    counts["contact_persons_removed"] = clear_contact_persons(terms)
    scrubbed = scrub_everywhere(terms)
    counts["text_rows_scrubbed"] = sum(scrubbed.values())
    counts["tables_scrubbed"] = scrubbed
    for user in users:
        ErasureRequest.objects.filter(user=user, status=ErasureRequest.Status.DONE,
                                      counts={}).update(counts=counts)
    return counts


def erase_person(user, *, actor=None, extra_terms: Iterable[str] = ()) -> dict:
    return erase_people([user], actor=actor, extra_terms=extra_terms)


def is_erased(user) -> bool:
    return user.get_username().startswith(PSEUDONYM_PREFIX)


def inactive_since(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)
