"""Load the networks/matchmaking demo (idempotent: running it twice creates nothing twice).

Needs the registry demo (``load_demo``) first. Writes, all ILLUSTRATIVE and flagged
``demo=True`` where the model has the flag (otherwise "(illustrative)" is in the title):

* a few more illustrative companies (Podlaskie and Hrodna) and their memberships, so the
  clusters have enough members for a network;
* joint projects and activities among the demo organisations over 2023–2025, so each
  operating cluster's network page shows project and activity ties;
* partner requests (offers and seeks, in English, Polish and Russian) whose suggestions
  page shows candidates with reasons;
* industry codes (NACE Rev.2 divisions) of the demo organisations that have none, and the
  programme's industry proximity table computed by klaster.relatedness from the packaged
  Eurostat regional statistics (EU28 NUTS 2 regions x NACE divisions, 2015; Hidalgo et
  al. 2007 proximity) — so the suggestions' relatedness component is on, as in a
  programme that uploaded its table;
* the event "Podlaskie–Hrodna B2B day (illustrative)": participants registered through
  the registration form (availability), wishes through the wish form, and the schedule
  computed by ``scheduling.run`` — so every participant has an agenda.

No real company, project or request is described: names, partners, budgets and texts
are invented for the demo.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from klaster.web.matchmaking import scheduling
from klaster.web.matchmaking.forms import RegistrationForm, WishForm
from klaster.web.matchmaking.models import Event, Participant, Wish
from klaster.web.registry.management.commands.load_demo import fill_translations
from klaster.web.registry.models import (
    Activity,
    Cluster,
    Membership,
    Organisation,
    PartnerRequest,
    Project,
)

CLUSTERS = {"KOM": "Metal Processing Cluster", "PKB": "Polish Construction Cluster",
            "ITC": "InfoTech Technology Cluster", "EE": "North-East Eco-Energy Cluster",
            "BY": "Hrodna pilot cluster (forming, illustrative)"}

EXTRA_ORGANISATIONS = [
    # key, name_en, name_pl, name_ru, helix, lat, lon, city, region, clusters (key, role)
    ("M3", "Demo Laser Cutting (illustrative)", "Demo Cięcie Laserowe (przykład)", "",
     53.1400, 23.2000, "Białystok", "Podlaskie", [("KOM", "member")]),
    ("M4", "Demo Welding Systems (illustrative)", "Demo Systemy Spawalnicze (przykład)", "",
     53.1781, 22.0590, "Łomża", "Podlaskie", [("KOM", "member")]),
    ("B2", "Demo Heat Pumps (illustrative)", "Demo Pompy Ciepła (przykład)", "",
     54.1115, 22.9308, "Suwałki", "Podlaskie", [("PKB", "member"), ("EE", "member")]),
    ("B3", "Demo BIM Studio (illustrative)", "Demo Pracownia BIM (przykład)", "",
     53.1270, 23.1700, "Białystok", "Podlaskie", [("PKB", "member")]),
    ("I2", "Demo Industrial IoT (illustrative)", "Demo Przemysłowy IoT (przykład)", "",
     53.1330, 23.1400, "Białystok", "Podlaskie", [("ITC", "member")]),
    ("G3", "Grodno demo machine works (illustrative)", "", "Гродненский демо-машзавод",
     53.6700, 23.8100, "Hrodna", "Hrodna region", [("BY", "member")]),
    ("G4", "Grodno demo construction company (illustrative)", "",
     "Гродненская демо-строительная компания", 53.6900, 23.8500, "Hrodna", "Hrodna region",
     []),
]

PROJECTS = [
    # cluster, title, partners, start, end, budget (EUR), funding source
    ("KOM", "Laser-cut and welded frames for agricultural machinery (illustrative)",
     ["M1", "M3", "M4", "PB"], (2023, 3, 1), (2024, 6, 30), 420000, "Regional programme"),
    ("KOM", "Robotic welding of high-strength steels, R&D (illustrative)",
     ["M2", "M4", "PB"], (2024, 1, 1), (2025, 12, 31), 680000, "National R&D grant"),
    ("KOM", "Podlaskie–Hrodna metalworking supplier development (illustrative)",
     ["M1", "M3", "PFRR", "G3"], (2025, 2, 1), (2025, 11, 30), 150000, "Interreg"),
    ("PKB", "BIM training for regional builders (illustrative)",
     ["B1", "B3", "PB"], (2023, 9, 1), (2024, 8, 31), 90000, "European Social Fund"),
    ("PKB", "Heat-pump retrofit of public buildings, pilot (illustrative)",
     ["B1", "B2", "UMWP"], (2024, 4, 1), (2025, 10, 31), 310000, "Regional programme"),
    ("ITC", "Industrial IoT monitoring for metal SMEs (illustrative)",
     ["I1", "I2", "M2", "PB"], (2024, 2, 1), (2025, 7, 31), 260000, "National R&D grant"),
    ("ITC", "E-services platform for the voivodeship (illustrative)",
     ["I1", "UMWP", "PB"], (2023, 1, 1), (2023, 12, 31), 180000, "Regional programme"),
    ("EE", "Biomass and heat-pump hybrid heating pilot (illustrative)",
     ["E1", "B2", "PB"], (2024, 5, 1), (2025, 9, 30), 240000, ("National Fund for "
     "Environmental Protection")),
    ("EE", "Energy audits of cluster members (illustrative)",
     ["E1", "PFRR", "B2"], (2023, 4, 1), (2023, 11, 30), 40000, "Member fees"),
]

ACTIVITIES = [
    # cluster, kind, title, participants, date, place, extra attendees, foreign
    ("KOM", "conference", "Metal processing cluster forum (illustrative)",
     ["PB", "PFRR", "M1", "M2", "M3", "M4"], (2023, 5, 18), "Białystok", 34, 0),
    ("KOM", "training", "Welding technology workshop (illustrative)",
     ["M2", "M4", "PB"], (2024, 10, 9), "Łomża", 12, 0),
    ("KOM", "b2b", "Hrodna machine-building fair, joint visit (illustrative)",
     ["M1", "M3", "G3"], (2025, 4, 23), "Hrodna", 9, 4),
    ("PKB", "training", "BIM workshop for site engineers (illustrative)",
     ["B1", "B3", "B2", "PB"], (2024, 3, 14), "Białystok", 22, 0),
    ("PKB", "working_group", "Energy-efficient construction working group (illustrative)",
     ["B1", "B2", "UMWP"], (2025, 1, 28), "Białystok", 8, 0),
    ("ITC", "other", "Industry 4.0 hackathon (illustrative)",
     ["I1", "I2", "PB", "UMWP"], (2025, 6, 6), "Białystok", 40, 3),
    ("EE", "conference", "Renewable heat conference (illustrative)",
     ["E1", "B2", "PB", "UMWP"], (2024, 9, 19), "Augustów", 55, 6),
    ("EE", "working_group", "Biomass supply working group (illustrative)",
     ["E1", "PFRR", "B2"], (2023, 10, 5), "Augustów", 7, 0),
]

REQUESTS = [
    # organisation, cluster, kind, topic, description, sectors, countries
    ("M3", "KOM", "offer", "Laser cutting capacity for sheet metal up to 20 mm",
     ("Illustrative demo. Free capacity on a 6 kW fibre laser: cutting of steel, stainless "
     "steel and aluminium sheet, small and medium batches, delivery in Podlaskie and to "
     "Hrodna region."), "metal processing, laser cutting, subcontracting", "PL, BY, LT"),
    ("G3", "BY", "seek", "Лазерная резка металла для деталей сельхозтехники",
     ("Демонстрационный пример. Ищем подрядчика по лазерной резке стального листа для "
     "рам и кронштейнов сельскохозяйственных машин, партии 200–500 штук."),
     "металлообработка, лазерная резка, сельхозмашиностроение", "BY, PL"),
    ("B3", "PKB", "offer", "Szkolenia BIM dla firm budowlanych",
     ("Przykład demonstracyjny. Szkolenia z modelowania BIM (Revit, IFC) dla kierowników "
     "budów i projektantów, w siedzibie firmy lub w Białymstoku."),
     "budownictwo, BIM, szkolenia", "PL"),
    ("B1", "PKB", "seek", "BIM training partner for site engineers",
     ("Illustrative demo. We look for a training partner to run BIM courses (IFC model "
     "coordination, clash detection) for 15 site engineers during 2026."),
     "construction, BIM, training", "PL"),
    ("B2", "EE", "seek", "Lokalizacja pilotażowa dla pompy ciepła w budynku publicznym",
     ("Przykład demonstracyjny. Szukamy budynku publicznego (szkoła, urząd) na pilotażową "
     "instalację gruntowej pompy ciepła z monitoringiem zużycia energii przez 2 sezony."),
     "energia odnawialna, pompy ciepła, budownictwo", "PL"),
    ("PB", None, "offer", "R&D on welding of high-strength steels",
     ("Illustrative demo. University laboratory and staff for welding research: robotic "
     "welding trials, weld testing and metallography for industrial partners."),
     "research, welding, metal processing", "PL, BY, LT"),
    ("M4", "KOM", "seek", "Partner B+R w zakresie spawania zrobotyzowanego",
     ("Przykład demonstracyjny. Szukamy partnera naukowego do wspólnego projektu B+R nad "
     "spawaniem zrobotyzowanym stali o podwyższonej wytrzymałości."),
     "spawanie, badania i rozwój, obróbka metali", "PL"),
    ("M1", "KOM", "seek", "Export to Belarus: distributor for metal components",
     ("Illustrative demo. We look for a distributor or agent in Hrodna region for welded "
     "and laser-cut metal components for agricultural and construction machinery."),
     "metal processing, export, distribution", "BY"),
    ("G4", None, "offer", "Дистрибуция строительных и металлических изделий в Беларуси",
     ("Демонстрационный пример. Предлагаем услуги дистрибуции и складирования "
     "строительных и металлических изделий польских производителей в Гродненской области."),
     "строительство, дистрибуция, металлические изделия", "BY, PL"),
]

# The demo's texts in pl, be, ru (Localized models: the text above is the fallback, the
# language it was written in; an empty entry leaves that copy empty because the text is
# already in that language). Keyed by the text as written above.
DEMO_TRANSLATIONS = {
    # the B2B event: title, place
    "Podlaskie–Hrodna B2B day (illustrative)": (
        "Dzień spotkań B2B Podlasie–Grodno (przykład)",
        "Дзень дзелавых сустрэч B2B Падляшша–Гродна (прыклад)",
        "День деловых встреч B2B Подляшье–Гродно (пример)"),
    "Białystok (illustrative)": ("Białystok (przykład)", "Беласток (прыклад)",
                                 "Белосток (пример)"),
    # projects: titles, funding sources, outputs
    "Laser-cut and welded frames for agricultural machinery (illustrative)": (
        "Cięte laserowo i spawane ramy do maszyn rolniczych (przykład)",
        "Рамы для сельскагаспадарчай тэхнікі з лазернай рэзкай і зваркай (прыклад)",
        "Рамы для сельскохозяйственной техники с лазерной резкой и сваркой (пример)"),
    "Robotic welding of high-strength steels, R&D (illustrative)": (
        "Zrobotyzowane spawanie stali o podwyższonej wytrzymałości, B+R (przykład)",
        "Рабатызаваная зварка высокатрывалых сталей, НДДКР (прыклад)",
        "Роботизированная сварка высокопрочных сталей, НИОКР (пример)"),
    "Podlaskie–Hrodna metalworking supplier development (illustrative)": (
        "Rozwój dostawców z branży obróbki metali Podlasie–Grodno (przykład)",
        "Развіццё пастаўшчыкоў металаапрацоўкі Падляшша–Гродна (прыклад)",
        "Развитие поставщиков металлообработки Подляшье–Гродно (пример)"),
    "BIM training for regional builders (illustrative)": (
        "Szkolenia BIM dla regionalnych firm budowlanych (przykład)",
        "Навучанне BIM для рэгіянальных будаўнічых кампаній (прыклад)",
        "Обучение BIM для региональных строительных компаний (пример)"),
    "Heat-pump retrofit of public buildings, pilot (illustrative)": (
        "Modernizacja budynków publicznych z pompami ciepła, pilotaż (przykład)",
        "Мадэрнізацыя грамадскіх будынкаў з цеплавымі помпамі, пілотны праект (прыклад)",
        "Модернизация общественных зданий с тепловыми насосами, пилотный проект (пример)"),
    "Industrial IoT monitoring for metal SMEs (illustrative)": (
        "Przemysłowy monitoring IoT dla MŚP z branży metalowej (przykład)",
        "Прамысловы IoT-маніторынг для металаапрацоўчых МСП (прыклад)",
        "Промышленный IoT-мониторинг для металлообрабатывающих МСП (пример)"),
    "E-services platform for the voivodeship (illustrative)": (
        "Platforma e-usług dla województwa (przykład)",
        "Платформа электронных паслуг для ваяводства (прыклад)",
        "Платформа электронных услуг для воеводства (пример)"),
    "Biomass and heat-pump hybrid heating pilot (illustrative)": (
        "Pilotaż ogrzewania hybrydowego: biomasa i pompa ciepła (przykład)",
        "Пілотны праект гібрыднага ацяплення: біямаса і цеплавая помпа (прыклад)",
        "Пилотный проект гибридного отопления: биомасса и тепловой насос (пример)"),
    "Energy audits of cluster members (illustrative)": (
        "Audyty energetyczne członków klastra (przykład)",
        "Энергетычныя аўдыты ўдзельнікаў кластара (прыклад)",
        "Энергетические аудиты участников кластера (пример)"),
    "Regional programme": ("Program regionalny", "Рэгіянальная праграма",
                           "Региональная программа"),
    "National R&D grant": ("Krajowy grant B+R", "Нацыянальны грант на НДДКР",
                           "Национальный грант на НИОКР"),
    "European Social Fund": ("Europejski Fundusz Społeczny", "Еўрапейскі сацыяльны фонд",
                             "Европейский социальный фонд"),
    "National Fund for Environmental Protection": (
        "Narodowy Fundusz Ochrony Środowiska i Gospodarki Wodnej",
        "Нацыянальны фонд аховы навакольнага асяроддзя",
        "Национальный фонд охраны окружающей среды"),
    "Member fees": ("Składki członkowskie", "Членскія ўзносы", "Членские взносы"),
    "Illustrative demo project.": ("Przykładowy projekt demonstracyjny.",
                                   "Умоўны дэманстрацыйны праект.",
                                   "Условный демонстрационный проект."),
    # activities: titles, description
    "Metal processing cluster forum (illustrative)": (
        "Forum klastra obróbki metali (przykład)", "Форум кластара апрацоўкі металаў (прыклад)",
        "Форум кластера обработки металлов (пример)"),
    "Welding technology workshop (illustrative)": (
        "Warsztaty z technologii spawania (przykład)",
        "Практычны семінар па тэхналогіях зваркі (прыклад)",
        "Практический семинар по технологиям сварки (пример)"),
    "Hrodna machine-building fair, joint visit (illustrative)": (
        "Targi budowy maszyn w Grodnie, wspólny wyjazd (przykład)",
        "Выстава машынабудавання ў Гродне, сумесны візіт (прыклад)",
        "Выставка машиностроения в Гродно, совместный визит (пример)"),
    "BIM workshop for site engineers (illustrative)": (
        "Warsztaty BIM dla inżynierów budowy (przykład)",
        "Семінар па BIM для інжынераў будаўнічых пляцовак (прыклад)",
        "Семинар по BIM для инженеров строительных площадок (пример)"),
    "Energy-efficient construction working group (illustrative)": (
        "Grupa robocza ds. budownictwa energooszczędnego (przykład)",
        "Рабочая група па энергаэфектыўным будаўніцтве (прыклад)",
        "Рабочая группа по энергоэффективному строительству (пример)"),
    "Industry 4.0 hackathon (illustrative)": (
        "Hackathon Przemysł 4.0 (przykład)", "Хакатон «Індустрыя 4.0» (прыклад)",
        "Хакатон «Индустрия 4.0» (пример)"),
    "Renewable heat conference (illustrative)": (
        "Konferencja o cieple z odnawialnych źródeł (przykład)",
        "Канферэнцыя пра цяпло з аднаўляльных крыніц (прыклад)",
        "Конференция по теплу из возобновляемых источников (пример)"),
    "Biomass supply working group (illustrative)": (
        "Grupa robocza ds. dostaw biomasy (przykład)",
        "Рабочая група па пастаўках біямасы (прыклад)",
        "Рабочая группа по поставкам биомассы (пример)"),
    "Illustrative demo activity.": ("Przykładowe działanie demonstracyjne.",
                                    "Умоўнае дэманстрацыйнае мерапрыемства.",
                                    "Условное демонстрационное мероприятие."),
    # partner requests: topics, descriptions, sectors
    "Laser cutting capacity for sheet metal up to 20 mm": (
        "Wolne moce cięcia laserowego blach do 20 mm",
        "Вольныя магутнасці лазернай рэзкі ліставога металу да 20 мм",
        "Свободные мощности лазерной резки листового металла до 20 мм"),
    REQUESTS[0][4]: (
        ("Przykład demonstracyjny. Wolne moce na laserze światłowodowym 6 kW: cięcie blach "
        "stalowych, nierdzewnych i aluminiowych, małe i średnie serie, dostawa na Podlasiu "
        "i do obwodu grodzieńskiego."),
        ("Дэманстрацыйны прыклад. Вольныя магутнасці валаконнага лазера 6 кВт: рэзка "
        "ліставой сталі, нержавеючай сталі і алюмінію, малыя і сярэднія партыі, дастаўка па "
        "Падляшшы і ў Гродзенскую вобласць."),
        ("Демонстрационный пример. Свободные мощности волоконного лазера 6 кВт: резка "
        "листовой стали, нержавеющей стали и алюминия, малые и средние партии, доставка по "
        "Подляшью и в Гродненскую область.")),
    "metal processing, laser cutting, subcontracting": (
        "obróbka metali, cięcie laserowe, podwykonawstwo",
        "апрацоўка металаў, лазерная рэзка, субпадрад",
        "обработка металлов, лазерная резка, субподряд"),
    "Лазерная резка металла для деталей сельхозтехники": (
        "Cięcie laserowe metalu na części maszyn rolniczych",
        "Лазерная рэзка металу для дэталей сельгастэхнікі", ""),
    REQUESTS[1][4]: (
        ("Przykład demonstracyjny. Szukamy wykonawcy cięcia laserowego blachy stalowej na "
        "ramy i wsporniki maszyn rolniczych, serie po 200–500 sztuk."),
        ("Дэманстрацыйны прыклад. Шукаем падрадчыка па лазернай рэзцы ліставой сталі для рам "
        "і кранштэйнаў сельскагаспадарчых машын, партыі па 200–500 штук."), ""),
    "металлообработка, лазерная резка, сельхозмашиностроение": (
        "obróbka metali, cięcie laserowe, produkcja maszyn rolniczych",
        "металаапрацоўка, лазерная рэзка, сельгасмашынабудаванне", ""),
    "Szkolenia BIM dla firm budowlanych": (
        "", "Навучанне BIM для будаўнічых кампаній", "Обучение BIM для строительных компаний"),
    REQUESTS[2][4]: (
        "",
        ("Дэманстрацыйны прыклад. Навучанне BIM-мадэляванню (Revit, IFC) для кіраўнікоў "
        "будоўляў і праекціроўшчыкаў, у офісе кампаніі або ў Беластоку."),
        ("Демонстрационный пример. Обучение BIM-моделированию (Revit, IFC) для руководителей "
        "строительства и проектировщиков, в офисе компании или в Белостоке.")),
    "budownictwo, BIM, szkolenia": ("", "будаўніцтва, BIM, навучанне",
                                    "строительство, BIM, обучение"),
    "BIM training partner for site engineers": (
        "Partner szkoleniowy BIM dla inżynierów budowy",
        "Партнёр па навучанні BIM для інжынераў будаўнічых пляцовак",
        "Партнёр по обучению BIM для инженеров строительных площадок"),
    REQUESTS[3][4]: (
        ("Przykład demonstracyjny. Szukamy partnera szkoleniowego, który poprowadzi kursy BIM "
        "(koordynacja modeli IFC, wykrywanie kolizji) dla 15 inżynierów budowy w 2026 roku."),
        ("Дэманстрацыйны прыклад. Шукаем партнёра, які правядзе курсы BIM (каардынацыя "
        "IFC-мадэляў, выяўленне калізій) для 15 інжынераў будаўнічых пляцовак у 2026 годзе."),
        ("Демонстрационный пример. Ищем партнёра, который проведёт курсы BIM (координация "
        "IFC-моделей, выявление коллизий) для 15 инженеров строительных площадок в 2026 году.")),
    "construction, BIM, training": ("budownictwo, BIM, szkolenia",
                                    "будаўніцтва, BIM, навучанне",
                                    "строительство, BIM, обучение"),
    "Lokalizacja pilotażowa dla pompy ciepła w budynku publicznym": (
        "", "Пілотная пляцоўка для цеплавой помпы ў грамадскім будынку",
        "Пилотная площадка для теплового насоса в общественном здании"),
    REQUESTS[4][4]: (
        "",
        ("Дэманстрацыйны прыклад. Шукаем грамадскі будынак (школу, установу) для пілотнай "
        "устаноўкі грунтавой цеплавой помпы з маніторынгам спажывання энергіі на працягу "
        "2 сезонаў."),
        ("Демонстрационный пример. Ищем общественное здание (школу, учреждение) для пилотной "
        "установки грунтового теплового насоса с мониторингом потребления энергии в течение "
        "2 сезонов.")),
    "energia odnawialna, pompy ciepła, budownictwo": (
        "", "аднаўляльная энергетыка, цеплавыя помпы, будаўніцтва",
        "возобновляемая энергетика, тепловые насосы, строительство"),
    "R&D on welding of high-strength steels": (
        "Prace B+R nad spawaniem stali o podwyższonej wytrzymałości",
        "НДДКР па зварцы высокатрывалых сталей", "НИОКР по сварке высокопрочных сталей"),
    REQUESTS[5][4]: (
        ("Przykład demonstracyjny. Laboratorium uczelni i jego kadra do badań nad spawaniem: "
        "próby spawania zrobotyzowanego, badania spoin i metalografia dla partnerów "
        "przemysłowych."),
        ("Дэманстрацыйны прыклад. Лабараторыя і супрацоўнікі ўніверсітэта для даследаванняў "
        "зваркі: выпрабаванні рабатызаванай зваркі, кантроль зварных швоў і металаграфія для "
        "прамысловых партнёраў."),
        ("Демонстрационный пример. Лаборатория и сотрудники университета для исследований "
        "сварки: испытания роботизированной сварки, контроль сварных швов и металлография для "
        "промышленных партнёров.")),
    "research, welding, metal processing": (
        "badania naukowe, spawanie, obróbka metali",
        "навуковыя даследаванні, зварка, апрацоўка металаў",
        "научные исследования, сварка, обработка металлов"),
    "Partner B+R w zakresie spawania zrobotyzowanego": (
        "", "Партнёр па НДДКР у галіне рабатызаванай зваркі",
        "Партнёр по НИОКР в области роботизированной сварки"),
    REQUESTS[6][4]: (
        "",
        ("Дэманстрацыйны прыклад. Шукаем навуковага партнёра для сумеснага праекта НДДКР па "
        "рабатызаванай зварцы высокатрывалых сталей."),
        ("Демонстрационный пример. Ищем научного партнёра для совместного проекта НИОКР по "
        "роботизированной сварке высокопрочных сталей.")),
    "spawanie, badania i rozwój, obróbka metali": (
        "", "зварка, НДДКР, апрацоўка металаў", "сварка, НИОКР, обработка металлов"),
    "Export to Belarus: distributor for metal components": (
        "Eksport na Białoruś: dystrybutor komponentów metalowych",
        "Экспарт у Беларусь: дыстрыбутар металічных кампанентаў",
        "Экспорт в Беларусь: дистрибьютор металлических компонентов"),
    REQUESTS[7][4]: (
        ("Przykład demonstracyjny. Szukamy dystrybutora lub agenta w obwodzie grodzieńskim "
        "dla spawanych i ciętych laserowo komponentów metalowych do maszyn rolniczych "
        "i budowlanych."),
        ("Дэманстрацыйны прыклад. Шукаем дыстрыбутара або агента ў Гродзенскай вобласці для "
        "зварных і выразаных лазерам металічных кампанентаў для сельскагаспадарчай "
        "і будаўнічай тэхнікі."),
        ("Демонстрационный пример. Ищем дистрибьютора или агента в Гродненской области для "
        "сварных и вырезанных лазером металлических компонентов для сельскохозяйственной "
        "и строительной техники.")),
    "metal processing, export, distribution": (
        "obróbka metali, eksport, dystrybucja", "апрацоўка металаў, экспарт, дыстрыбуцыя",
        "обработка металлов, экспорт, дистрибуция"),
    "Дистрибуция строительных и металлических изделий в Беларуси": (
        "Dystrybucja wyrobów budowlanych i metalowych na Białorusi",
        "Дыстрыбуцыя будаўнічых і металічных вырабаў у Беларусі", ""),
    REQUESTS[8][4]: (
        ("Przykład demonstracyjny. Oferujemy usługi dystrybucji i magazynowania wyrobów "
        "budowlanych i metalowych polskich producentów w obwodzie grodzieńskim."),
        ("Дэманстрацыйны прыклад. Прапануем паслугі дыстрыбуцыі і складавання будаўнічых "
        "і металічных вырабаў польскіх вытворцаў у Гродзенскай вобласці."), ""),
    "строительство, дистрибуция, металлические изделия": (
        "budownictwo, dystrybucja, wyroby metalowe",
        "будаўніцтва, дыстрыбуцыя, металічныя вырабы", ""),
}

# NACE Rev.2 divisions of the demo organisations (what each one does, as its name says).
DEMO_CODES = {
    "PB": ["85", "72"], "UMWP": ["84"], "PFRR": ["70"], "M1": ["25"], "M2": ["25", "28"],
    "B1": ["41", "43"], "I1": ["62"], "E1": ["35"], "G1": ["10"], "G2": ["85"],
    "M3": ["25"], "M4": ["25", "28"], "B2": ["43", "28"], "B3": ["71"], "I2": ["62", "26"],
    "G3": ["28"], "G4": ["41", "46"],
}
PROXIMITY_YEAR = 2015
PROXIMITY_NAME = "eurostat-sbs-nuts2-2015-demo-proximity.parquet"

EVENT_TITLE = "Podlaskie–Hrodna B2B day (illustrative)"
EVENT_SLOTS, EVENT_TABLES = 8, 5
# Participants and the slots they are available in (None: all slots).
PARTICIPANTS = [("PB", None), ("M1", None), ("M2", range(6)), ("M3", None),
                ("M4", range(2, 8)), ("B1", range(3, 8)), ("B2", None), ("B3", None),
                ("I2", range(5)), ("G1", range(5)), ("G3", None), ("G4", None)]
WISHES = [  # who wants to meet whom, priority 1 (must) .. 3 (if time allows)
    ("G3", "M3", 1), ("G3", "M1", 2), ("G3", "PB", 3), ("M1", "G4", 1), ("M1", "G3", 1),
    ("M3", "G3", 1), ("M3", "G4", 2), ("M4", "PB", 1), ("M2", "PB", 2), ("M2", "I2", 2),
    ("B1", "B3", 1), ("B1", "B2", 3), ("B2", "G4", 2), ("B2", "PB", 2), ("G1", "M2", 1),
    ("G1", "B2", 3), ("G4", "B3", 2), ("I2", "M4", 2), ("PB", "G1", 3), ("B3", "G4", 2),
]


class Command(BaseCommand):
    help = "Load demo projects, activities, partner requests and a scheduled B2B event."

    @transaction.atomic
    def handle(self, *args, **options):
        try:
            admin = get_user_model().objects.get(username="demo-admin")
            clusters = {k: Cluster.objects.get(name_en=n, demo=True)
                        for k, n in CLUSTERS.items()}
        except (get_user_model().DoesNotExist, Cluster.DoesNotExist):
            raise CommandError("Run load_demo first: the registry demo is missing.") from None
        orgs = {o.id_value.removeprefix("DEMO-"): o
                for o in Organisation.objects.filter(id_scheme="OTHER",
                                                     id_value__startswith="DEMO-")}
        made = dict.fromkeys(("organisations", "memberships", "projects", "activities",
                              "requests"), 0)
        for key, en, pl, ru, lat, lon, city, region, memberships in EXTRA_ORGANISATIONS:
            org, created = Organisation.objects.get_or_create(
                id_scheme="OTHER", id_value=f"DEMO-{key}",
                defaults={"name_en": en, "name_pl": pl, "name_ru": ru, "helix": "business",
                              "latitude": lat, "longitude": lon, "city": city, "region": region,
                              "size_class": "small", "demo": True})
            orgs[key] = org
            fill_translations(org)
            made["organisations"] += created
            for cluster_key, role in memberships:
                _m, created = Membership.objects.get_or_create(
                    organisation=org, cluster=clusters[cluster_key], left__isnull=True,
                    defaults={"role": role, "joined": dt.date(2022, 1, 1), "demo": True})
                made["memberships"] += created
        for ckey, title, partners, start, end, budget, source in PROJECTS:
            project, created = Project.objects.get_or_create(
                cluster=clusters[ckey], title=title,
                defaults={"start": dt.date(*start), "end": dt.date(*end), "demo": True,
                              "budget": Decimal(budget), "funding_source": source,
                              "outputs": "Illustrative demo project."})
            if created:
                project.partners.add(*(orgs[p] for p in partners))
            fill_translations(project, DEMO_TRANSLATIONS)
            made["projects"] += created
        for ckey, kind, title, participants, day, place, extra, foreign in ACTIVITIES:
            activity, created = Activity.objects.get_or_create(
                cluster=clusters[ckey], kind=kind, title=title,
                defaults={"start": dt.date(*day), "end": dt.date(*day), "place": place,
                              "participant_count": len(participants) + extra,
                              "foreign_participant_count": foreign, "demo": True,
                              "description": "Illustrative demo activity."})
            if created:
                activity.participants.add(*(orgs[p] for p in participants))
            fill_translations(activity, DEMO_TRANSLATIONS)
            made["activities"] += created
        for okey, ckey, kind, topic, text, sectors, countries in REQUESTS:
            request, created = PartnerRequest.objects.get_or_create(
                organisation=orgs[okey], topic=topic,
                defaults={"cluster": clusters[ckey] if ckey else None, "kind": kind,
                              "description": text, "sectors": sectors, "countries": countries})
            fill_translations(request, DEMO_TRANSLATIONS)
            made["requests"] += created
        for key, codes in DEMO_CODES.items():
            org = orgs.get(key)
            if org is not None and not org.industry_codes:
                org.industry_codes = codes
                org.code_system = "nace2"
                org.save()
        prox = self._proximity(admin)
        event, summary = self._event(orgs, admin)
        self.stdout.write(self.style.SUCCESS(
            "matchmaking demo: " + ", ".join(f"{n} {k} created" for k, n in made.items())
            + f"; event {event.title!r}: {event.participants.count()} participants, "
            + (f"{summary['placed']} of {summary['requested']} wished meetings scheduled"
               if summary else "schedule already computed")
            + f"; proximity table: {prox.pairs} pairs of {prox.activities} industries"))

    @staticmethod
    def _proximity(admin):
        """The demo's proximity table (the newest table is the one suggestions use; an
        uploaded one is left alone)."""
        import io

        from django.core.files.base import ContentFile

        from klaster.data.demo import load_demo_eu
        from klaster.relatedness import relatedness
        from klaster.web.matchmaking.models import ProximityTable

        existing = ProximityTable.objects.first()
        if existing is not None:
            return existing
        table = relatedness(load_demo_eu(), year=PROXIMITY_YEAR).proximity_table()
        buffer = io.BytesIO()
        table.write_parquet(buffer)
        record = ProximityTable(
            original_name=PROXIMITY_NAME, pairs=table.height, uploaded_by=admin,
            activities=len(set(table.get_column("activity_1").to_list())
                           | set(table.get_column("activity_2").to_list())))
        record.file.save("proximity.parquet", ContentFile(buffer.getvalue()), save=False)
        record.save()
        return record

    def _event(self, orgs, admin):
        """The B2B day, registered and wished through the app's forms, then scheduled."""
        event, created = Event.objects.get_or_create(
            title=EVENT_TITLE,
            defaults={"date": timezone.localdate() + dt.timedelta(days=45),
                          "start": dt.time(10, 0), "slots": EVENT_SLOTS, "tables": EVENT_TABLES,
                          "slot_minutes": 20, "place": "Białystok (illustrative)", "created_by": admin})
        fill_translations(event, DEMO_TRANSLATIONS)
        if created:
            participants = {}
            for key, slots in PARTICIPANTS:
                available = list(slots) if slots is not None else list(range(event.slots))
                form = RegistrationForm(
                    {"organisation": orgs[key].pk, "availability": available},
                    instance=Participant(event=event, registered_by=admin), event=event,
                    organisations=Organisation.objects.filter(demo=True))
                participants[key] = self._saved(form)
            for source, target, priority in WISHES:
                self._saved(WishForm({"target": participants[target].pk, "priority": priority},
                                     participant=participants[source],
                                     instance=Wish(participant=participants[source])))
        if event.scheduled is None:
            return event, scheduling.run(event)
        return event, None

    @staticmethod
    def _saved(form):
        if not form.is_valid():
            raise CommandError(f"demo data refused by {type(form).__name__}: "
                               f"{form.errors.as_text()}")
        return form.save()
