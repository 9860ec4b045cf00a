"""Load the demo content (idempotent: running it twice changes nothing).

Public facts used: the Podlaskie cluster organisations named in public reports (Metal
Processing Cluster and Polish Construction Cluster — both Key National Clusters —,
InfoTech Technology Cluster, North-East Eco-Energy Cluster), Białystok University of
Technology, the Marshal Office of Podlaskie Voivodeship, the Podlasie Regional Development
Foundation, and the July 2019 study visit of an 18-person Belarusian delegation.

Everything else is ILLUSTRATIVE and flagged ``demo=True`` (shown on the pages as
"illustrative demo data"): the member companies, memberships, figures, the exact visit
dates, the Belarusian pilot cluster's members, and all identifiers — they use the free
scheme ``OTHER`` with values ``DEMO-...`` so no real register number is invented.
Coordinates are approximate city locations.
"""

from __future__ import annotations

import functools
import os
import secrets
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from klaster.web.registry.models import (
    Activity,
    Cluster,
    CoordinatorProfile,
    Membership,
    Organisation,
    OrganisationFigures,
)

BIALYSTOK = (53.1325, 23.1688)

ORGANISATIONS = [
    # key, names (en, pl, be, ru), helix, lat, lon, city
    ("PB", ("Białystok University of Technology", "Politechnika Białostocka",
            "Беластоцкі тэхналагічны ўніверсітэт", "Белостокский технологический университет"),
     "research", 53.1170, 23.1465, "Białystok"),
    ("UMWP", ("Marshal Office of Podlaskie Voivodeship",
              "Urząd Marszałkowski Województwa Podlaskiego",
              "Маршалкоўскі ўрад Падляшскага ваяводства",
              "Маршальское управление Подляского воеводства"),
     "public", 53.1290, 23.1560, "Białystok"),
    ("PFRR", ("Podlasie Regional Development Foundation", "Podlaska Fundacja Rozwoju Regionalnego",
              "Падляшскі фонд рэгіянальнага развіцця", "Подляшский фонд регионального развития"),
     "support", 53.1310, 23.1610, "Białystok"),
    # Illustrative companies (fictional).
    ("M1", ("Demo Metalworks (illustrative)", "Demo Obróbka Metali (przykład)", "", ""),
     "business", 53.2100, 23.4600, "Sokółka"),
    ("M2", ("Demo Precision Parts (illustrative)", "Demo Części Precyzyjne (przykład)", "", ""),
     "business", 53.1500, 23.1000, "Białystok"),
    ("B1", ("Demo Builders (illustrative)", "Demo Budownictwo (przykład)", "", ""),
     "business", 53.0900, 23.2100, "Białystok"),
    ("I1", ("Demo Software House (illustrative)", "Demo Software House (przykład)", "", ""),
     "business", 53.1350, 23.1500, "Białystok"),
    ("E1", ("Demo Biomass Energy (illustrative)", "Demo Energia z Biomasy (przykład)", "", ""),
     "business", 53.8300, 22.9700, "Augustów"),
    ("G1", ("Grodno demo food processor (illustrative)", "", "Гродзенскі харчовы дэма-завод",
            "Гродненский пищевой демо-завод"), "business", 53.6780, 23.8290, "Hrodna"),
    ("G2", ("Grodno demo technical college (illustrative)", "",
            "Гродзенскі дэма-каледж", "Гродненский демо-колледж"), "research", 53.6840,
     23.8380, "Hrodna"),
]

CLUSTERS = [
    # key, names, status, phase, sector, nace codes, region, country, description, members
    ("KOM", ("Metal Processing Cluster", "Klaster Obróbki Metali", "Кластар апрацоўкі металаў",
             "Кластер обработки металлов"), "operating", "maturity", "Metal processing",
     ["C24", "C25", "C28"], "Podlaskie", "PL",
     "Key National Cluster (status named in public reports).",
     [("PB", "member"), ("PFRR", "member"), ("M1", "founder"), ("M2", "member")]),
    ("PKB", ("Polish Construction Cluster", "Polski Klaster Budowlany",
             "Польскі будаўнічы кластар", "Польский строительный кластер"), "operating",
     "maturity", "Construction", ["F41", "F42", "F43", "C23"], "Podlaskie", "PL",
     "Key National Cluster (status named in public reports).",
     [("PB", "member"), ("B1", "founder")]),
    ("ITC", ("InfoTech Technology Cluster", "Klaster Technologiczny InfoTech",
             "Тэхналагічны кластар InfoTech", "Технологический кластер InfoTech"), "operating",
     "development", "ICT", ["J62", "J63"], "Podlaskie", "PL", "",
     [("PB", "member"), ("I1", "member"), ("UMWP", "member")]),
    ("EE", ("North-East Eco-Energy Cluster", "Klaster Ekoenergetyczny Północny-Wschód",
            "Экаэнергетычны кластар Паўночны Усход", "Экоэнергетический кластер Северо-Восток"),
     "operating", "development", "Renewable energy", ["D35"], "Podlaskie", "PL", "",
     [("PB", "member"), ("E1", "member")]),
    ("BY", ("Hrodna pilot cluster (forming, illustrative)",
            "Pilotażowy klaster w Grodnie (w tworzeniu)",
            "Пілотны кластар у Гродне (у стадыі фарміравання)",
            "Пилотный кластер в Гродно (формирующийся)"), "forming", "embryonic",
     "Food processing", ["C10"], "Hrodna region", "BY",
     "A forming Belarusian pilot cluster; its name and members are illustrative.",
     [("G1", "founder"), ("G2", "member")]),
]

# The coordinating organisation of each demo cluster (illustrative, like the memberships).
# Without it every cluster's coordinator_organisation stayed empty, and so did the
# directory's Coordinator column and the profile's contact card.
COORDINATORS = {"KOM": "PFRR", "PKB": "B1", "ITC": "I1", "EE": "E1", "BY": "G1"}
# The clusters' sector, main region and description in pl, be, ru (Cluster.localized:
# the English text above is the fallback). Keyed by the English text.
TRANSLATIONS = {
    "Metal processing": ("Obróbka metali", "Апрацоўка металаў", "Обработка металлов"),
    "Construction": ("Budownictwo", "Будаўніцтва", "Строительство"),
    "ICT": ("Technologie informacyjno-komunikacyjne", "Інфармацыйна-камунікацыйныя тэхналогіі",
            "Информационно-коммуникационные технологии"),
    "Renewable energy": ("Odnawialne źródła energii", "Аднаўляльная энергетыка",
                         "Возобновляемая энергетика"),
    "Food processing": ("Przetwórstwo spożywcze", "Харчовая прамысловасць",
                        "Пищевая промышленность"),
    "Podlaskie": ("Podlaskie", "Падляшскае ваяводства", "Подляское воеводство"),
    "Hrodna region": ("Obwód grodzieński", "Гродзенская вобласць", "Гродненская область"),
    "Key National Cluster (status named in public reports).": (
        "Krajowy Klaster Kluczowy (status wymieniony w publicznych raportach).",
        "Ключавы нацыянальны кластар (статус названы ў публічных справаздачах).",
        "Ключевой национальный кластер (статус назван в публичных отчётах)."),
    "A forming Belarusian pilot cluster; its name and members are illustrative.": (
        "Powstający białoruski klaster pilotażowy; jego nazwa i członkowie są przykładowi.",
        "Беларускі пілотны кластар у стадыі фарміравання; яго назва і ўдзельнікі ўмоўныя.",
        "Формирующийся белорусский пилотный кластер; его название и участники условны."),
}


VISIT_TITLE = "Study visit of a Belarusian delegation to Podlaskie clusters"
VISIT_TEXT = ("July 2019: an 18-person Belarusian delegation visited Podlaskie cluster "
              "organisations. Exact dates illustrative.")
TRANSLATIONS.update({
    VISIT_TITLE: (
        "Wizyta studyjna delegacji białoruskiej w klastrach Podlasia",
        "Вучэбны візіт беларускай дэлегацыі ў кластары Падляшша",
        "Ознакомительный визит белорусской делегации в кластеры Подляшья"),
    VISIT_TEXT: (
        ("Lipiec 2019: 18-osobowa delegacja z Białorusi odwiedziła organizacje klastrowe "
        "Podlasia. Dokładne daty są przykładowe."),
        ("Ліпень 2019: беларуская дэлегацыя з 18 чалавек наведала кластарныя арганізацыі "
        "Падляшша. Дакладныя даты ўмоўныя."),
        ("Июль 2019: белорусская делегация из 18 человек посетила кластерные организации "
        "Подляшья. Точные даты условны.")),
    "Cluster manager (illustrative)": (
        "Menedżerka klastra (przykład)", "Менеджар кластара (прыклад)",
        "Менеджер кластера (пример)"),
    "Project coordinator (illustrative)": (
        "Koordynator projektów (przykład)", "Каардынатар праектаў (прыклад)",
        "Координатор проектов (пример)"),
})

# A consented contact person on two clusters: fictional people ("Przykładowa",
# "Demonstracyjny": Polish for "example", "demonstration"), reserved example.org
# addresses; the consent is recorded as the workspace form records it.
CONTACTS = {
    "KOM": ("Anna Przykładowa", "Cluster manager (illustrative)",
            "anna.przykladowa@example.org", "+48 85 000 00 00"),
    "EE": ("Jan Demonstracyjny", "Project coordinator (illustrative)",
           "jan.demonstracyjny@example.org", ""),
}


def fill_translations(record, table: dict = TRANSLATIONS) -> None:
    """Fill the empty per-language copies of ``record``'s translated fields (``TRANSLATED``
    of a ``Localized`` model) from ``table``: plain text → (pl, be, ru); an empty entry
    leaves that copy empty (the plain text is already in that language)."""
    changed = []
    for field in type(record).TRANSLATED:
        texts = table.get(getattr(record, field))
        for lang, text in zip(("pl", "be", "ru"), texts or ()):
            if text and not getattr(record, f"{field}_{lang}"):
                setattr(record, f"{field}_{lang}", text)
                changed.append(f"{field}_{lang}")
    if changed:
        record.save(update_fields=changed)


def add_contact(cluster: Cluster, key: str, recorded_by) -> None:
    """The demo's consented contact person (once: an edited contact is left alone)."""
    from django.utils import timezone
    from django.utils.translation import override

    from klaster.web.registry.forms import CONTACT_CONSENT_TEXT

    name, role, email, phone = CONTACTS[key]
    if cluster.contact_name:
        return
    cluster.contact_name, cluster.contact_role = name, role
    cluster.contact_email, cluster.contact_phone = email, phone
    cluster.contact_consent_name = name
    cluster.contact_consent_at = timezone.now()
    with override("en"):
        cluster.contact_consent_text = str(CONTACT_CONSENT_TEXT)
    cluster.contact_consent_recorded_by = recorded_by
    cluster.save()
    fill_translations(cluster)


@functools.lru_cache(maxsize=4)
def demo_password_hash(password: str) -> str:
    """The demo accounts' one password, hashed once (PBKDF2, ~1M iterations: 0.5–1 s
    each) for all four accounts instead of once per account (issue 14)."""
    return make_password(password)


class Command(BaseCommand):
    help = "Load demo clusters, organisations, an activity and demo accounts (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        orgs = {}
        for key, names, helix, lat, lon, city in ORGANISATIONS:
            org, _ = Organisation.objects.get_or_create(
                id_scheme="OTHER", id_value=f"DEMO-{key}",
                defaults=dict(name_en=names[0], name_pl=names[1], name_be=names[2],
                              name_ru=names[3], helix=helix, latitude=lat, longitude=lon,
                              city=city, demo=True, approved=key in ("PB", "UMWP", "PFRR"),
                              region="Hrodna region" if key.startswith("G") else "Podlaskie",
                              size_class="" if helix != "business" else "small"))
            orgs[key] = org
            fill_translations(org)
            if helix == "business":
                OrganisationFigures.objects.get_or_create(
                    organisation=org, year=2024,
                    defaults=dict(employees=40, turnover=Decimal("2500000"), demo=True))
        clusters = {}
        for key, names, status, phase, sector, codes, region, country, desc, members in CLUSTERS:
            cluster, created = Cluster.objects.get_or_create(
                name_en=names[0],
                defaults=dict(name_pl=names[1], name_be=names[2], name_ru=names[3],
                              status=status, phase=phase, sector=sector, industry_codes=codes,
                              region=region, country=country, description=desc, demo=True,
                              published=True, approved=key != "BY"))
            clusters[key] = cluster
            if cluster.coordinator_organisation_id is None:  # older demo databases too
                cluster.coordinator_organisation = orgs[COORDINATORS[key]]
                cluster.save(update_fields=["coordinator_organisation"])
            fill_translations(cluster)
            for org_key, role in members:
                Membership.objects.get_or_create(
                    organisation=orgs[org_key], cluster=cluster, left__isnull=True,
                    defaults=dict(role=role, joined=date(2019, 1, 1), demo=True))
            CoordinatorProfile.objects.get_or_create(
                cluster=cluster, year=2024,
                defaults=dict(management_fte=Decimal("2.5"), budget=Decimal("300000"),
                              income_member_fees=Decimal("60000"),
                              income_public=Decimal("200000"), income_services=Decimal("40000"),
                              demo=True))
        visit, created = Activity.objects.get_or_create(
            cluster=clusters["BY"], kind="study_visit",
            title=VISIT_TITLE,
            defaults=dict(start=date(2019, 7, 1), end=date(2019, 7, 5), place="Białystok",
                          participant_count=18, foreign_participant_count=18, demo=True,
                          description=VISIT_TEXT))
        if created:
            visit.participants.add(orgs["PB"], orgs["UMWP"], orgs["PFRR"])
        fill_translations(visit)
        self._accounts(clusters, orgs)
        coordinator = get_user_model().objects.get(username="demo-coordinator")
        for key in CONTACTS:
            add_contact(clusters[key], key, coordinator)
        self.stdout.write(self.style.SUCCESS(
            f"demo content: {len(orgs)} organisations, {len(clusters)} clusters"))

    def _accounts(self, clusters, orgs):
        User = get_user_model()
        password = os.environ.get("KLASTER_DEMO_PASSWORD") or secrets.token_urlsafe(12)
        made = []
        for username, group in (("demo-admin", "Programme administrators"),
                                ("demo-coordinator", "Cluster coordinators"),
                                ("demo-representative", None)):
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.password = demo_password_hash(password)
                user.save()
                made.append(username)
            if group:
                user.groups.add(Group.objects.get(name=group))
        clusters["KOM"].coordinators.add(User.objects.get(username="demo-coordinator"))
        orgs["PB"].representatives.add(User.objects.get(username="demo-representative"))
        if made:
            self.stdout.write(f"demo accounts {', '.join(made)} with password: {password}")
