"""Time of one erasure on the demo database, and the outputs quoted in docs/privacy.md.

Runs in a fresh temporary data directory (SQLite): migrate, the three demo loaders, then
``personal_data_report`` (first lines), ``privacy_retention --dry-run``, and the wall time
of ``erase_person`` for a demo representative (it scans every text column of every table
once). Prints ``uptime`` with the figure. No assertion.

    uv run python benchmarks/privacy_erasure.py
"""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
import time


def main() -> None:
    os.environ["KLASTER_DATA_DIR"] = tempfile.mkdtemp(prefix="klaster-privacy-bench-")
    os.environ.setdefault("KLASTER_SECRET_KEY", "bench-" + "k" * 50)
    os.environ["DJANGO_SETTINGS_MODULE"] = "klaster.web.settings"
    os.environ.setdefault("KLASTER_DEMO_PASSWORD", "bench-Password-1")
    from klaster.web.i18n import compile_translations

    compile_translations()
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from klaster.web.privacy import services

    call_command("migrate", verbosity=0)
    for command in ("load_demo", "load_matchmaking_demo", "load_assessment_demo"):
        call_command(command, stdout=io.StringIO())
    out = io.StringIO()
    call_command("personal_data_report", stdout=out)
    print("\n".join(out.getvalue().splitlines()[:16]))
    print("...")
    out = io.StringIO()
    call_command("privacy_retention", "--dry-run", stdout=out)
    print(out.getvalue())
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        rows = 0
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            rows += cursor.fetchone()[0]
    user = (get_user_model().objects.filter(represented_organisations__isnull=False)
            .order_by("pk").first())
    start = time.perf_counter()
    counts = services.erase_person(user)
    seconds = time.perf_counter() - start
    print(f"erase_person on the demo database ({len(tables)} tables, {rows:,} rows): "
          f"{seconds:.2f} s; {counts['text_rows_scrubbed']} text rows scrubbed")
    print(subprocess.run(["uptime"], capture_output=True, text=True,
                         env={**os.environ, "TZ": "UTC"}).stdout.strip())


if __name__ == "__main__":
    main()
