"""Organisation.is_public, maintained by the database (issue 14).

Public = approved, or a member (current or past) of a published cluster. Triggers keep
the flag on every write that can change it — an organisation inserted or updated (its
``approved``, or a save() carrying a stale flag), a membership inserted, updated or
deleted, a cluster's ``published`` changed — whatever issued the write (model save,
QuerySet.update, bulk_create, raw SQL). PostgreSQL recomputes the organisation's own
row in a BEFORE trigger; SQLite, whose triggers cannot assign NEW, in an AFTER trigger
(recursive triggers are off, and its WHEN stops it when the value is already right).
"""

from django.db import migrations, models

RULE = ("({o}.approved OR EXISTS (SELECT 1 FROM registry_membership m "
        "JOIN registry_cluster c ON c.id = m.cluster_id "
        "WHERE m.organisation_id = {o}.id AND c.published))")
ROW = RULE.format(o="registry_organisation")

POSTGRES = [
    f"""CREATE FUNCTION klaster_organisation_public() RETURNS trigger AS $$
BEGIN
  NEW.is_public := {RULE.format(o="NEW")};
  RETURN NEW;
END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER klaster_organisation_public BEFORE INSERT OR UPDATE
ON registry_organisation FOR EACH ROW EXECUTE FUNCTION klaster_organisation_public()""",
    # A membership or a cluster change touches the organisations concerned; their BEFORE
    # trigger recomputes the flag.
    """CREATE FUNCTION klaster_membership_public() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE registry_organisation SET is_public = is_public WHERE id = OLD.organisation_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE registry_organisation SET is_public = is_public WHERE id = NEW.organisation_id;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER klaster_membership_public AFTER INSERT OR UPDATE OF organisation_id,
cluster_id OR DELETE ON registry_membership FOR EACH ROW
EXECUTE FUNCTION klaster_membership_public()""",
    """CREATE FUNCTION klaster_cluster_public() RETURNS trigger AS $$
BEGIN
  UPDATE registry_organisation SET is_public = is_public WHERE id IN
    (SELECT organisation_id FROM registry_membership WHERE cluster_id = NEW.id);
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER klaster_cluster_public AFTER UPDATE OF published ON registry_cluster
FOR EACH ROW WHEN (OLD.published IS DISTINCT FROM NEW.published)
EXECUTE FUNCTION klaster_cluster_public()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS klaster_cluster_public ON registry_cluster",
    "DROP TRIGGER IF EXISTS klaster_membership_public ON registry_membership",
    "DROP TRIGGER IF EXISTS klaster_organisation_public ON registry_organisation",
    "DROP FUNCTION IF EXISTS klaster_cluster_public()",
    "DROP FUNCTION IF EXISTS klaster_membership_public()",
    "DROP FUNCTION IF EXISTS klaster_organisation_public()",
]


def _sqlite_touch(ids: str) -> str:
    return f"UPDATE registry_organisation SET is_public = {ROW} WHERE id IN ({ids});"


SQLITE = [
    f"""CREATE TRIGGER klaster_organisation_public_insert AFTER INSERT
ON registry_organisation BEGIN {_sqlite_touch("NEW.id")} END""",
    f"""CREATE TRIGGER klaster_organisation_public_update AFTER UPDATE
ON registry_organisation WHEN NEW.is_public IS NOT {RULE.format(o="NEW")}
BEGIN {_sqlite_touch("NEW.id")} END""",
    f"""CREATE TRIGGER klaster_membership_public_insert AFTER INSERT
ON registry_membership BEGIN {_sqlite_touch("NEW.organisation_id")} END""",
    f"""CREATE TRIGGER klaster_membership_public_update AFTER UPDATE OF organisation_id,
cluster_id ON registry_membership
BEGIN {_sqlite_touch("OLD.organisation_id, NEW.organisation_id")} END""",
    f"""CREATE TRIGGER klaster_membership_public_delete AFTER DELETE
ON registry_membership BEGIN {_sqlite_touch("OLD.organisation_id")} END""",
    f"""CREATE TRIGGER klaster_cluster_public AFTER UPDATE OF published
ON registry_cluster WHEN OLD.published IS NOT NEW.published
BEGIN {_sqlite_touch("SELECT organisation_id FROM registry_membership "
                     "WHERE cluster_id = NEW.id")} END""",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in (
    "klaster_organisation_public_insert", "klaster_organisation_public_update",
    "klaster_membership_public_insert", "klaster_membership_public_update",
    "klaster_membership_public_delete", "klaster_cluster_public")]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise NotImplementedError(f"no is_public triggers for {vendor}")
        for sql in statements_by_vendor[vendor]:
            schema_editor.execute(sql, params=None)
    return run


def _sqlite_only(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for sql in statements:
                schema_editor.execute(sql, params=None)
    return run


def sqlite_triggers_lifted(operations):
    """Wrap a later migration's operations on the three tables these triggers name.

    SQLite alters a table by rebuilding it (create a copy, drop, rename), and drops or
    renames fail while a trigger names the table ("error in trigger …: no such table").
    So such a migration drops the SQLite triggers first and creates them again last; the
    flag itself is unchanged because no row changes meanwhile. PostgreSQL alters in place.
    """
    return [migrations.RunPython(_sqlite_only(SQLITE_DROP), _sqlite_only(SQLITE)),
            *operations,
            migrations.RunPython(_sqlite_only(SQLITE), _sqlite_only(SQLITE_DROP))]


def fill(apps, schema_editor):
    schema_editor.execute(f"UPDATE registry_organisation SET is_public = {ROW}", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0007_i18n_cluster_translations'),
    ]

    operations = [
        migrations.AddField(
            model_name='organisation',
            name='is_public',
            field=models.BooleanField(db_index=True, default=False, editable=False),
        ),
        migrations.RunPython(_run({"postgresql": POSTGRES, "sqlite": SQLITE}),
                             _run({"postgresql": POSTGRES_DROP, "sqlite": SQLITE_DROP})),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
