"""Cold-path cost of the faceted directory: time and number of queries of one uncached
directory page (facets, counts, sort, one page of rows) and of its CSV export, on a
synthetic registry in a throw-away SQLite database (or the DATABASE_URL one, which must
be a dedicated empty database).

    uv run python benchmarks/bench_directory_facets.py --clusters 300 --orgs 5000 \\
        --memberships 12000

Prints the median of ``--repeat`` requests per URL, the queries per request, and the load
average (the figures depend on the machine and on what else runs on it).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date

os.environ["DJANGO_SETTINGS_MODULE"] = "klaster.web.settings"
os.environ.setdefault("KLASTER_SECRET_KEY", "bench-" + "k" * 60)
os.environ["KLASTER_DEBUG"] = "0"
os.environ["KLASTER_SECURE_SSL_REDIRECT"] = "0"
os.environ.setdefault("KLASTER_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("KLASTER_DATA_DIR", tempfile.mkdtemp(prefix="klaster-bench-dir-"))
os.environ["KLASTER_PUBLIC_CACHE_SECONDS"] = "0"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=300)
    parser.add_argument("--orgs", type=int, default=5000)
    parser.add_argument("--memberships", type=int, default=12000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_databases, setup_test_environment

    setup_test_environment()
    setup_databases(verbosity=0, interactive=False)
    from klaster.web.registry.models import Cluster, Membership, Organisation

    rng = random.Random(1)
    helix = ["business", "research", "public", "support", "civil", "finance"]
    Organisation.objects.bulk_create(
        Organisation(name_en=f"Org {i}", id_scheme="OTHER", id_value=f"B-{i}",
                     helix=rng.choice(helix)) for i in range(args.orgs))
    regions = ["Podlaskie", "Mazowieckie", "Hrodna region", "Minsk", "Lubelskie"]
    sectors = ["ICT", "Food", "Metal processing", "Construction", "Energy", "Health"]
    Cluster.objects.bulk_create(
        Cluster(name_en=f"Cluster {i:04d}", published=True, country=rng.choice(["PL", "BY"]),
                region=rng.choice(regions), sector=rng.choice(sectors),
                status=rng.choice(["forming", "operating", "potential"]),
                founded=date(2000 + rng.randrange(25), 1, 1)) for i in range(args.clusters))
    org_ids = list(Organisation.objects.values_list("id", flat=True))
    cluster_ids = list(Cluster.objects.values_list("id", flat=True))
    pairs = set()
    while len(pairs) < args.memberships:
        pairs.add((rng.choice(org_ids), rng.choice(cluster_ids)))
    Membership.objects.bulk_create(Membership(organisation_id=o, cluster_id=c)
                                   for o, c in pairs)

    client = Client()
    urls = ["/", "/?country=PL&sector=ICT", "/?helix=business&helix=research&sort=-members",
            "/clusters/export/?format=csv", "/clusters/export/?sector=ICT&format=xlsx"]
    print(f"load average before: {os.getloadavg()}")
    print(f"{args.clusters} clusters, {args.orgs} organisations, "
          f"{args.memberships} memberships; median of {args.repeat}")
    for url in urls:
        client.get(url)  # warm imports and templates
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
        print(f"{url:55s} {statistics.median(times) * 1000:8.1f} ms  "
              f"{len(ctx.captured_queries):3d} queries")
    print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
