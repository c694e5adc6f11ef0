"""The demo scenario: the real Idlib agreements, their parties and areas, and a few incidents.

Plain data, applied by `python manage.py load_demo` (demo/management/commands/load_demo.py).

- Agreement texts are paraphrased from the published texts (Russian Foreign Ministry, TASS,
  peaceagreements.org). Dates and deadlines are the real ones.
- Geography is approximate: drawn by hand from published maps and town coordinates, good to a
  few kilometres, and every area says so in its description. Coordinates are [lon, lat].
- Incidents summarise public reporting of April 2019 (SOHR, UN OCHA, SNHR, Syria Civil
  Defence, Anadolu Agency, UCDP GED); numbers are those reported and may have been revised.
  Sources link to the organisations' home pages only, never to guessed article addresses.
"""

import datetime as dt
import zoneinfo

DAMASCUS = zoneinfo.ZoneInfo("Asia/Damascus")


def damascus(year, month, day, hour=0, minute=0):
    """A moment in Syrian local time (the agreements' time zone)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=DAMASCUS)


# --- Places ----------------------------------------------------------------------------------
SARAQIB = (36.8006, 35.8636)  # (lon, lat)
ARIHA = (36.600, 35.817)
ALEPPO = (37.16, 36.20)

# --- Parties ---------------------------------------------------------------------------------
# Aliases are the names external datasets use. dataset "ucdp": checked against UCDP GED Syria
# 652.1601.1911 (side_a / side_b); "acled": ACLED actor names; blank: press usage.
PARTIES = [
    {
        "name": "Russia",
        "name_ar": "روسيا",
        "short_name_ar": "روسيا",
        "short_name": "RU",
        "kind": "state",
        "description": "Guarantor of the Astana process; co-signatory of the Sochi memorandum and the "
        "Moscow protocol. Its air force supported Syrian government operations in Idlib.",
        "aliases": [
            ("روسيا الاتحادية", ""),
            ("Russian Federation", ""),
            ("Military Forces of Russia (2000-)", "acled"),
            ("Government of Russia (Soviet Union)", "ucdp"),
            ("Russian Military Police", ""),
        ],
    },
    {
        "name": "Turkey",
        "name_ar": "تركيا",
        "short_name_ar": "تركيا",
        "short_name": "TR",
        "kind": "state",
        "description": "Guarantor of the Astana process; co-signatory of the Sochi memorandum and the "
        "Moscow protocol. Ran twelve observation posts around the Idlib zone.",
        "aliases": [
            ("الجمهورية التركية", ""),
            ("Türkiye", ""),
            ("Republic of Turkey", ""),
            ("Turkish Armed Forces", ""),
            ("Military Forces of Turkey (2016-)", "acled"),
            ("Government of Turkey", "ucdp"),
        ],
    },
    {
        "name": "Iran",
        "name_ar": "إيران",
        "short_name_ar": "إيران",
        "short_name": "IR",
        "kind": "state",
        "description": "Guarantor of the Astana process and signatory of the 2017 de-escalation memorandum.",
        "aliases": [
            ("الجمهورية الإسلامية الإيرانية", ""),
            ("Islamic Republic of Iran", ""),
            ("Military Forces of Iran (1979-)", "acled"),
            ("Government of Iran", "ucdp"),
        ],
    },
    {
        "name": "Syrian government",
        "name_ar": "الحكومة السورية",
        "short_name_ar": "النظام",
        "short_name": "GoS",
        "kind": "state",
        "description": "The government of the Syrian Arab Republic under Bashar al-Assad (until December "
        "2024) and its armed forces and allied militias. Not a signatory of Sochi or Moscow; "
        "Russia answered for its conduct there.",
        "aliases": [
            ("الجيش العربي السوري", ""),
            ("قوات النظام", ""),
            ("Government of Syria", "ucdp"),
            ("Military Forces of Syria (2000-)", "acled"),
            ("Syrian Arab Army", ""),
            ("Syrian Arab Republic", ""),
        ],
    },
    {
        "name": "Syrian armed opposition",
        "name_ar": "المعارضة السورية المسلحة",
        "short_name_ar": "المعارضة",
        "short_name": "Opposition",
        "kind": "coalition",
        "description": "UCDP's umbrella actor 'Syrian insurgents': the armed opposition as a whole, "
        "used when a report does not name the group (it can include HTS and NLF factions).",
        "aliases": [
            ("فصائل المعارضة", ""),
            ("Syrian insurgents", "ucdp"),
            ("Opposition Rebels (Syria)", "acled"),
        ],
    },
    {
        "name": "Hay'at Tahrir al-Sham",
        "name_ar": "هيئة تحرير الشام",
        "short_name_ar": "الهيئة",
        "short_name": "HTS",
        "kind": "armed_group",
        "description": "Jihadist alliance led by the former Nusra Front; the dominant force in Idlib. "
        "Treated as a terrorist group by the guarantors and excluded from the ceasefires.",
        "aliases": [
            ("هيئة تحرير الشام", ""),
            ("تحرير الشام", ""),
            ("HTS", "ucdp"),
            ("HTS: Hayat Tahrir al Sham", "acled"),
            ("Hayat Tahrir al-Sham", ""),
            ("Hayat Tahrir al Sham", ""),
            ("Tahrir al-Sham", ""),
        ],
    },
    {
        "name": "National Front for Liberation",
        "name_ar": "الجبهة الوطنية للتحرير",
        "short_name_ar": "الوطنية للتحرير",
        "short_name": "NLF",
        "kind": "armed_group",
        "description": "Turkish-backed coalition of opposition factions formed in May 2018; merged into "
        "the Syrian National Army in October 2019.",
        "aliases": [
            ("الجبهة الوطنية للتحرير", ""),
            ("NLF", ""),
            ("National Liberation Front", ""),
            ("NLF: National Liberation Front", ""),
            ("Jabhat al-Wataniya lil-Tahrir", ""),
        ],
    },
    {
        "name": "Jaish al-Izza",
        "name_ar": "جيش العزة",
        "short_name_ar": "",
        "short_name": "",
        "kind": "armed_group",
        "description": "Opposition faction based in northern Hama (Latamneh, Kafr Zita); rejected the "
        "Sochi demilitarized zone.",
        "aliases": [
            ("جيش العزة", ""),
            ("Jaysh al Izza", "acled"),
            ("Jaysh al-Izza", ""),
            ("Jaish al-Ezza", ""),
        ],
    },
    {
        "name": "Hurras al-Din",
        "name_ar": "حراس الدين",
        "short_name_ar": "",
        "short_name": "",
        "kind": "armed_group",
        "description": "Al-Qaeda-aligned group split from HTS in 2018; rejected the Sochi memorandum.",
        "aliases": [
            ("تنظيم حراس الدين", ""),
            ("Tanzim Hurras ad-Din", "ucdp"),
            ("Hurras ad-Din", ""),
            ("Hurras al Din", ""),
        ],
    },
    {
        "name": "Syrian Democratic Forces",
        "name_ar": "قوات سوريا الديمقراطية",
        "short_name_ar": "قسد",
        "short_name": "SDF",
        "kind": "armed_group",
        "description": "Kurdish-led force in north-east Syria; not a party to the Idlib arrangements.",
        "aliases": [
            ("قسد", ""),
            ("SDF", "ucdp"),
            ("QSD: Syrian Democratic Forces", "acled"),
        ],
    },
    {
        "name": "Islamic State",
        "name_ar": "تنظيم الدولة الإسلامية",
        "short_name_ar": "داعش",
        "short_name": "IS",
        "kind": "armed_group",
        "description": "Excluded from every ceasefire; the guarantors committed to fight it.",
        "aliases": [
            ("داعش", ""),
            ("IS", "ucdp"),
            ("Islamic State (Syria)", "acled"),
            ("ISIL", ""),
            ("ISIS", ""),
            ("Daesh", ""),
        ],
    },
]

# --- Areas -----------------------------------------------------------------------------------
# The Idlib de-escalation zone, outlined around Idlib governorate and the adjacent parts of
# northern Hama, western Aleppo and north-east Latakia.
IDLIB_ZONE_OUTLINE = [
    [35.95, 35.80],
    [36.05, 35.97],
    [36.25, 36.08],
    [36.45, 36.22],
    [36.62, 36.30],
    [36.70, 36.36],
    [36.95, 36.37],
    [37.07, 36.32],
    [37.10, 36.15],
    [37.05, 36.05],
    [37.25, 35.90],
    [37.22, 35.65],
    [37.00, 35.45],
    [36.80, 35.28],
    [36.55, 35.20],
    [36.35, 35.30],
    [36.20, 35.50],
    [36.05, 35.62],
    [35.95, 35.80],
]

# The demilitarized zone: a band 20 km deep (the upper bound of "15-20 km") inside the
# September 2018 line of contact, from the Jabal al-Akrad hills in north-east Latakia, round
# the Ghab plain and northern Hama (Kafr Zita, Latamneh, Morek, Khan Shaykhun), up the eastern
# Idlib front (Saraqib at its inner edge) to the western outskirts of Aleppo. Drawn by
# buffering a hand-traced contact line and clipping it to the zone; then simplified.
DMZ_OUTLINE = [
    [36.500, 35.698],
    [36.559, 35.598],
    [36.690, 35.547],
    [36.762, 35.618],
    [36.778, 36.100],
    [36.789, 36.155],
    [36.835, 36.222],
    [36.773, 36.295],
    [36.759, 36.362],
    [36.950, 36.370],
    [36.986, 36.355],
    [37.050, 36.300],
    [37.070, 36.180],
    [37.000, 36.100],
    [36.980, 35.550],
    [36.850, 35.420],
    [36.680, 35.310],
    [36.550, 35.410],
    [36.400, 35.450],
    [36.300, 35.620],
    [36.150, 35.780],
    [36.050, 35.930],
    [36.050, 35.970],
    [36.205, 36.055],
    [36.336, 35.879],
    [36.500, 35.698],
]

# M4 (Aleppo - Latakia): shares the road with the M5 from Aleppo to Saraqib, then runs west
# by Trumba, Nayrab, Ariha, Urum al-Jawz, Muhambal and Jisr al-Shughur to Ain al-Havr, and
# over the Latakia hills to Latakia.
M4_LINE = [
    [37.120, 36.170],
    [37.040, 36.165],
    [36.985, 36.070],
    [36.965, 36.010],
    [36.870, 35.930],
    [36.815, 35.870],
    [36.780, 35.864],
    [36.717, 35.872],
    [36.660, 35.845],
    [36.600, 35.830],
    [36.530, 35.795],
    [36.440, 35.780],
    [36.330, 35.815],
    [36.220, 35.800],
    [36.100, 35.700],
    [35.950, 35.620],
    [35.800, 35.540],
]

# M5 (Aleppo - Hama, the Damascus highway): Aleppo, Saraqib, Maarat al-Numan, Khan Shaykhun,
# Morek, Souran, Hama.
M5_LINE = [
    [37.120, 36.170],
    [37.040, 36.165],
    [36.985, 36.070],
    [36.965, 36.010],
    [36.870, 35.930],
    [36.815, 35.870],
    [36.770, 35.760],
    [36.720, 35.620],
    [36.675, 35.645],
    [36.660, 35.540],
    [36.646, 35.442],
    [36.683, 35.374],
    [36.740, 35.290],
    [36.750, 35.160],
]

# The Moscow protocol's security corridor: the M4 from Trumba (about 2 km west of Saraqib) to
# Ain al-Havr, 6 km either side.
M4_CORRIDOR_LINE = [
    [36.780, 35.864],
    [36.717, 35.872],
    [36.660, 35.845],
    [36.600, 35.830],
    [36.530, 35.795],
    [36.440, 35.780],
    [36.330, 35.815],
    [36.220, 35.800],
]

APPROXIMATE = (
    "Approximate: drawn by hand from published maps and town coordinates; expect errors of a few km."
)

AREAS = [
    {
        "slug": "idlib-de-escalation-zone",
        "name": "Idlib de-escalation zone",
        "name_ar": "منطقة خفض التصعيد في إدلب",
        "description": "Idlib governorate and adjacent parts of northern Hama, western Aleppo and "
        "north-east Latakia, as set by the Astana memorandum of 4 May 2017 (boundaries agreed at "
        "Astana in September 2017). " + APPROXIMATE,
        "geometry": {"type": "Polygon", "coordinates": [IDLIB_ZONE_OUTLINE]},
        "buffer_km": 0,
    },
    {
        "slug": "idlib-demilitarized-zone",
        "name": "Idlib demilitarized zone (Sochi 2018)",
        "name_ar": "المنطقة منزوعة السلاح في إدلب (سوتشي 2018)",
        "description": "The 15-20 km deep demilitarized zone inside the de-escalation zone along the line "
        "of contact (Sochi memorandum, point 3), drawn 20 km deep from the line as it stood in "
        "September 2018. Its exact lines were never published; Saraqib lies at its inner edge, "
        "as in the reporting. " + APPROXIMATE,
        "geometry": {"type": "Polygon", "coordinates": [DMZ_OUTLINE]},
        "buffer_km": 0,
    },
    {
        "slug": "m4-highway",
        "name": "M4 highway (Aleppo - Latakia)",
        "name_ar": "الطريق الدولي M4 (حلب - اللاذقية)",
        "description": "The M4 from the south-west of Aleppo by Saraqib, Ariha and Jisr al-Shughur "
        "towards Latakia, 3 km either side (Sochi point 8). " + APPROXIMATE,
        "geometry": {"type": "LineString", "coordinates": M4_LINE},
        "buffer_km": 3,
    },
    {
        "slug": "m5-highway",
        "name": "M5 highway (Aleppo - Hama)",
        "name_ar": "الطريق الدولي M5 (حلب - حماة)",
        "description": "The M5 from Aleppo by Saraqib, Maarat al-Numan, Khan Shaykhun and Morek to "
        "Hama, 3 km either side (Sochi point 8). " + APPROXIMATE,
        "geometry": {"type": "LineString", "coordinates": M5_LINE},
        "buffer_km": 3,
    },
    {
        "slug": "m4-security-corridor",
        "name": "M4 security corridor (Moscow 2020)",
        "name_ar": "الممر الآمن على طريق M4 (موسكو 2020)",
        "description": "The M4 from Trumba, about 2 km west of Saraqib, to Ain al-Havr, 6 km north and "
        "6 km south of the road (Moscow protocol, points 2 and 3). " + APPROXIMATE,
        "geometry": {"type": "LineString", "coordinates": M4_CORRIDOR_LINE},
        "buffer_km": 6,
    },
]

# --- Agreements ------------------------------------------------------------------------------
CEASEFIRE_CATEGORIES = [
    "air_strike",
    "shelling",
    "armed_clash",
    "attack_on_civilians",
    "explosive_device",
    "chemical_weapon",
    "territory_change",
]
# Whose acts count under the Idlib ceasefires: the warring parties and their guarantors.
# The Astana memorandum bound only the government and the opposition groups that joined the
# ceasefire; HTS, Hurras al-Din and IS were excluded from it.
ASTANA_CEASEFIRE_PARTIES = [
    "Syrian government",
    "Russia",
    "Iran",
    "Turkey",
    "National Front for Liberation",
    "Jaish al-Izza",
    "Syrian armed opposition",
]
IDLIB_WARRING_PARTIES = [
    "Syrian government",
    "Russia",
    "Turkey",
    "National Front for Liberation",
    "Jaish al-Izza",
    "Syrian armed opposition",
    "Hay'at Tahrir al-Sham",
    "Hurras al-Din",
]
ZONE = "idlib-de-escalation-zone"
DMZ = "idlib-demilitarized-zone"
M4 = "m4-highway"
M5 = "m5-highway"
CORRIDOR = "m4-security-corridor"

AGREEMENTS = [
    {
        "slug": "astana-2017",
        "title": "Memorandum on the creation of de-escalation areas in the Syrian Arab Republic (Astana)",
        "title_ar": "مذكرة إنشاء مناطق خفض التصعيد في الجمهورية العربية السورية (أستانا)",
        "signed_on": dt.date(2017, 5, 4),
        "in_force_from": damascus(2017, 5, 5),  # "enters into force on the day after signing"
        "in_force_until": None,
        "status": "in_force",
        "timezone": "Asia/Damascus",
        "summary": "Signed in Astana on 4 May 2017 by Russia, Turkey and Iran as guarantors of the "
        "ceasefire. Creates four de-escalation areas (Idlib and adjacent parts of Latakia, Hama and "
        "Aleppo; north of Homs; Eastern Ghouta; the south) for six months, renewable by consensus: "
        "hostilities, including air strikes, cease inside them; humanitarian access, medical aid, "
        "basic infrastructure and the return of displaced people are to follow; security zones with "
        "checkpoints and observation posts run along their lines.",
        "parties": [("Russia", "guarantor"), ("Turkey", "guarantor"), ("Iran", "guarantor")],
        "areas": [ZONE],
        "links": [
            ("Peace Agreements Database (PA-X), agreement 2093", "https://www.peaceagreements.org/view/2093"),
            ("Ministry of Foreign Affairs of the Russian Federation", "https://mid.ru/en/"),
        ],
        "clauses": [
            {
                "number": "1",
                "title": "Four de-escalation areas, for six months",
                "title_ar": "أربع مناطق لخفض التصعيد لمدة ستة أشهر",
                "text": "De-escalation areas are created in Idlib province and parts of the neighbouring "
                "Latakia, Hama and Aleppo provinces; north of Homs; in Eastern Ghouta; and in parts of "
                "Deraa and Quneitra. A temporary measure for six months, extended automatically by "
                "consensus of the guarantors.",
                "kind": "other",
                "obligated_parties": ["Russia", "Turkey", "Iran"],
                "areas": [ZONE],
                "in_force_from": None,
                "prohibited_categories": [],
            },
            {
                "number": "2.a",
                "title": "Cessation of hostilities, including air strikes, inside the areas",
                "title_ar": "وقف الأعمال القتالية، بما فيها الغارات الجوية، داخل المناطق",
                "text": "Within the lines of the de-escalation areas, hostilities between the conflicting "
                "parties (the government and the armed opposition groups that have joined or will join "
                "the ceasefire) cease, with any kind of weapon, aircraft included. The ban on military "
                "operations was announced from 6 May 2017.",
                "kind": "ceasefire",
                "obligated_parties": ASTANA_CEASEFIRE_PARTIES,
                "areas": [ZONE],
                "in_force_from": damascus(2017, 5, 6),
                "prohibited_categories": CEASEFIRE_CATEGORIES,
            },
            {
                "number": "2.b",
                "title": "Humanitarian access, medical aid, infrastructure and returns",
                "title_ar": "وصول المساعدات الإنسانية والطبية وإصلاح البنية التحتية وعودة النازحين",
                "text": "Within the areas: rapid, safe and unhindered humanitarian access; conditions for "
                "medical aid and the basic needs of civilians; restoration of basic infrastructure, "
                "starting with water and electricity; conditions for the safe and voluntary return of "
                "refugees and internally displaced people.",
                "kind": "humanitarian_access",
                "obligated_parties": ["Syrian government", "Russia", "Turkey", "Iran"],
                "areas": [ZONE],
                "in_force_from": None,
                "prohibited_categories": ["attack_on_civilians", "route_closed"],
            },
            {
                "number": "3",
                "title": "Security zones with checkpoints and observation posts",
                "title_ar": "مناطق أمنية بحواجز ونقاط مراقبة",
                "text": "Along the lines of the de-escalation areas, security zones prevent incidents and "
                "clashes: checkpoints for the free movement of unarmed civilians and humanitarian aid, "
                "and observation posts to monitor the ceasefire, run by the guarantors' forces.",
                "kind": "other",
                "obligated_parties": ["Russia", "Turkey", "Iran"],
                "areas": [ZONE],
                "in_force_from": None,
                "prohibited_categories": [],
            },
            {
                "number": "4",
                "title": "Guarantors enforce the ceasefire and fight IS and Nusra",
                "title_ar": "الدول الضامنة تضمن وقف إطلاق النار وتقاتل تنظيم الدولة والنصرة",
                "text": "The guarantors take all necessary measures to ensure the parties observe the "
                "ceasefire, continue the fight against ISIL, the Nusra Front and other groups associated "
                "with al-Qaeda or ISIL inside and outside the areas, and work to bring more armed "
                "opposition groups into the ceasefire.",
                "kind": "other",
                "obligated_parties": ["Russia", "Turkey", "Iran"],
                "areas": [],
                "in_force_from": None,
                "prohibited_categories": [],
            },
            {
                "number": "5",
                "title": "Joint Working Group within two weeks",
                "title_ar": "مجموعة عمل مشتركة خلال أسبوعين",
                "text": "Within two weeks of signing, the guarantors form a Joint Working Group to delineate "
                "the de-escalation areas and security zones and settle operational questions.",
                "kind": "other",
                "obligated_parties": ["Russia", "Turkey", "Iran"],
                "areas": [],
                "in_force_from": None,
                "prohibited_categories": [],
            },
            {
                "number": "6",
                "title": "Maps of the areas by 4 June 2017",
                "title_ar": "خرائط المناطق بحلول 4 حزيران 2017",
                "text": "By 4 June 2017 the guarantors complete the maps of the de-escalation areas and "
                "security zones, and the separation of the armed opposition from the terrorist groups.",
                "kind": "other",
                "obligated_parties": ["Russia", "Turkey", "Iran"],
                "areas": [],
                "in_force_from": None,
                "prohibited_categories": [],
            },
        ],
        "deadlines": [
            {
                "clause": "5",
                "description": "Joint Working Group on de-escalation formed",
                "description_ar": "تشكيل مجموعة العمل المشتركة لخفض التصعيد",
                "due_date": dt.date(2017, 5, 18),
            },
            {
                "clause": "6",
                "description": "Maps of the de-escalation areas and security zones completed",
                "description_ar": "إنجاز خرائط مناطق خفض التصعيد والمناطق الأمنية",
                "due_date": dt.date(2017, 6, 4),
            },
        ],
    },
    {
        "slug": "sochi-2018",
        "title": "Memorandum on stabilization of the situation in the Idlib de-escalation area (Sochi)",
        "title_ar": "مذكرة تثبيت الاستقرار في منطقة خفض التصعيد في إدلب (مذكرة سوتشي)",
        "signed_on": dt.date(2018, 9, 17),
        "in_force_from": damascus(2018, 9, 17),
        "in_force_until": None,
        "status": "in_force",
        "timezone": "Asia/Damascus",
        "summary": "Agreed by Presidents Putin and Erdogan in Sochi on 17 September 2018 and signed by "
        "their defence ministers. Keeps the Idlib de-escalation area, creates a 15-20 km deep "
        "demilitarized zone along the line of contact, to be cleared of heavy weapons by 10 October "
        "and of radical groups by 15 October 2018, with coordinated Turkish and Russian patrols, and "
        "reopens the M4 and M5 highways to transit by the end of 2018.",
        "parties": [
            ("Russia", "signatory"),
            ("Turkey", "signatory"),
            ("Russia", "guarantor"),
            ("Turkey", "guarantor"),
        ],
        "areas": [ZONE],
        "links": [
            ("Peace Agreements Database (PA-X), agreement 2169", "https://www.peaceagreements.org/view/2169"),
        ],
        "clauses": [
            {
                "number": "1",
                "title": "The Idlib de-escalation area is preserved; Turkish observation posts fortified",
                "title_ar": "الحفاظ على منطقة خفض التصعيد في إدلب وتحصين نقاط المراقبة التركية",
                "text": "The Idlib de-escalation area is preserved; Turkey's observation posts are "
                "fortified and continue to operate.",
                "kind": "other",
                "obligated_parties": ["Russia", "Turkey"],
                "areas": [ZONE],
                "in_force_from": None,
                "prohibited_categories": [],
            },
            {
                "number": "2",
                "title": "No military operations against Idlib; status quo maintained",
                "title_ar": "لا عمليات عسكرية على إدلب والإبقاء على الوضع القائم",
                "text": "Russia takes all necessary measures so that military operations and attacks on "
                "Idlib are avoided and the existing status quo is maintained. Obligated here: Russia and "
                "the Syrian government whose operations it undertook to prevent.",
                "kind": "ceasefire",
                "obligated_parties": ["Russia", "Syrian government"],
                "areas": [ZONE],
                "in_force_from": None,
                "prohibited_categories": CEASEFIRE_CATEGORIES,
            },
            {
                "number": "3",
                "title": "A demilitarized zone 15-20 km deep",
                "title_ar": "منطقة منزوعة السلاح بعمق 15 إلى 20 كم",
                "text": "A demilitarized zone 15-20 km deep is established within the de-escalation area.",
                "kind": "demilitarized_zone",
                "obligated_parties": ["Russia", "Turkey"],
                "areas": [DMZ],
                "in_force_from": None,
                "prohibited_categories": [],
            },
            {
                "number": "4",
                "title": "The DMZ's lines set in further consultations",
                "title_ar": "تحديد خطوط المنطقة منزوعة السلاح في مشاورات لاحقة",
                "text": "The exact lines of the demilitarized zone are determined in further consultations.",
                "kind": "demilitarized_zone",
                "obligated_parties": ["Russia", "Turkey"],
                "areas": [DMZ],
                "in_force_from": None,
                "prohibited_categories": [],
            },
            {
                "number": "5",
                "title": "Radical terrorist groups out of the DMZ by 15 October 2018",
                "title_ar": "إخراج الجماعات الإرهابية المتطرفة من المنطقة منزوعة السلاح بحلول 15 تشرين الأول 2018",
                "text": "All radical terrorist groups are removed from the demilitarized zone by 15 October "
                "2018. Any presence of them in the zone after that day breaches this point.",
                "kind": "groups_withdrawal",
                "obligated_parties": ["Turkey", "Hay'at Tahrir al-Sham", "Hurras al-Din"],
                "areas": [DMZ],
                "in_force_from": damascus(2018, 10, 16),  # end of 15 October
                "prohibited_categories": ["armed_group_presence"],
            },
            {
                "number": "6",
                "title": "Tanks, rocket launchers, artillery and mortars out of the DMZ by 10 October 2018",
                "title_ar": "سحب الدبابات وراجمات الصواريخ والمدفعية وقذائف الهاون من المنطقة منزوعة السلاح بحلول 10 تشرين الأول 2018",
                "text": "All tanks, multiple rocket launchers, artillery and mortars of the warring parties "
                "are withdrawn from the demilitarized zone by 10 October 2018.",
                "kind": "weapons_withdrawal",
                "obligated_parties": IDLIB_WARRING_PARTIES,
                "areas": [DMZ],
                "in_force_from": damascus(2018, 10, 11),  # end of 10 October
                "prohibited_categories": ["heavy_weapons_presence"],
            },
            {
                "number": "7",
                "title": "Coordinated Turkish and Russian patrols along the DMZ",
                "title_ar": "دوريات تركية وروسية منسقة على طول المنطقة منزوعة السلاح",
                "text": "The Turkish Armed Forces and the Russian military police conduct coordinated "
                "patrols and drone monitoring along the boundaries of the demilitarized zone, to ensure "
                "the free movement of local residents and goods and restore trade and economic ties. "
                "Obstructing or attacking these patrols breaches this point, whoever does it.",
                "kind": "patrols",
                "obligated_parties": IDLIB_WARRING_PARTIES,
                "areas": [DMZ],
                "in_force_from": None,
                "prohibited_categories": ["patrol_obstructed"],
            },
            {
                "number": "8",
                "title": "Transit on the M4 and M5 restored by the end of 2018",
                "title_ar": "استعادة حركة العبور على الطريقين M4 وM5 بحلول نهاية 2018",
                "text": "Transit traffic on the M4 (Aleppo - Latakia) and M5 (Aleppo - Hama) routes is "
                "restored by the end of 2018. A closed route after that breaches this point.",
                "kind": "route_reopening",
                "obligated_parties": IDLIB_WARRING_PARTIES,
                "areas": [M4, M5],
                "in_force_from": damascus(2019, 1, 1),  # end of 31 December 2018
                "prohibited_categories": ["route_closed"],
            },
            {
                "number": "9",
                "title": "A sustainable ceasefire in the Idlib de-escalation area",
                "title_ar": "وقف دائم لإطلاق النار في منطقة خفض التصعيد في إدلب",
                "text": "Effective measures ensure a sustainable ceasefire regime within the Idlib "
                "de-escalation area; the functions of the joint Iranian-Russian-Turkish coordination "
                "centre are strengthened.",
                "kind": "ceasefire",
                "obligated_parties": IDLIB_WARRING_PARTIES,
                "areas": [ZONE],
                "in_force_from": None,
                "prohibited_categories": CEASEFIRE_CATEGORIES,
            },
            {
                "number": "10",
                "title": "Combating terrorism",
                "title_ar": "مكافحة الإرهاب",
                "text": "Both sides reaffirm their determination to combat terrorism in Syria in all its "
                "forms and manifestations.",
                "kind": "other",
                "obligated_parties": ["Russia", "Turkey"],
                "areas": [],
                "in_force_from": None,
                "prohibited_categories": [],
            },
        ],
        "deadlines": [
            {
                "clause": "6",
                "description": "Heavy weapons withdrawn from the demilitarized zone",
                "description_ar": "سحب الأسلحة الثقيلة من المنطقة منزوعة السلاح",
                "due_date": dt.date(2018, 10, 10),
            },
            {
                "clause": "5",
                "description": "Radical groups removed from the demilitarized zone",
                "description_ar": "إخراج الجماعات المتطرفة من المنطقة منزوعة السلاح",
                "due_date": dt.date(2018, 10, 15),
            },
            {
                "clause": "8",
                "description": "Transit on the M4 and M5 restored",
                "description_ar": "استعادة حركة العبور على الطريقين M4 وM5",
                "due_date": dt.date(2018, 12, 31),
            },
        ],
    },
    {
        "slug": "moscow-2020",
        "title": "Additional Protocol to the Memorandum on stabilization of the situation in the Idlib "
        "de-escalation area (Moscow)",
        "title_ar": "البروتوكول الإضافي لمذكرة تثبيت الاستقرار في منطقة خفض التصعيد في إدلب (موسكو)",
        "signed_on": dt.date(2020, 3, 5),
        "in_force_from": damascus(2020, 3, 6, 0, 1),
        "in_force_until": None,
        "status": "in_force",
        "timezone": "Asia/Damascus",
        "summary": "Agreed by Presidents Putin and Erdogan in Moscow on 5 March 2020 after the "
        "government offensive of winter 2019-2020. A ceasefire along the line of contact from 00:01 "
        "on 6 March 2020, a security corridor 6 km either side of the M4, and joint Russian-Turkish "
        "patrols on the M4 between Trumba and Ain al-Havr from 15 March 2020.",
        "parties": [("Russia", "signatory"), ("Turkey", "signatory")],
        "areas": [ZONE],
        "links": [
            ("Peace Agreements Database (PA-X)", "https://www.peaceagreements.org/"),
            ("Ministry of Foreign Affairs of the Russian Federation", "https://mid.ru/en/"),
        ],
        "clauses": [
            {
                "number": "1",
                "title": "Ceasefire along the line of contact from 00:01 on 6 March 2020",
                "title_ar": "وقف إطلاق النار على خط التماس اعتباراً من الساعة 00:01 يوم 6 آذار 2020",
                "text": "All military actions along the line of contact in the Idlib de-escalation area "
                "cease from 00:01 on 6 March 2020.",
                "kind": "ceasefire",
                "obligated_parties": IDLIB_WARRING_PARTIES,
                "areas": [ZONE],
                "in_force_from": damascus(2020, 3, 6, 0, 1),
                "prohibited_categories": CEASEFIRE_CATEGORIES,
            },
            {
                "number": "2",
                "title": "A security corridor 6 km north and 6 km south of the M4",
                "title_ar": "ممر آمن بعمق 6 كم شمال الطريق M4 و6 كم جنوبه",
                "text": "A security corridor is established 6 km deep to the north and 6 km deep to the "
                "south of the M4. Its parameters are agreed by the Russian and Turkish defence ministries "
                "within 7 days. (The parameters were not published, so no incident category is "
                "prohibited here beyond the ceasefire of point 1.)",
                "kind": "demilitarized_zone",
                "obligated_parties": ["Russia", "Turkey"],
                "areas": [CORRIDOR],
                "in_force_from": None,
                "prohibited_categories": [],
            },
            {
                "number": "3",
                "title": "Joint patrols on the M4 from Trumba to Ain al-Havr from 15 March 2020",
                "title_ar": "دوريات مشتركة على الطريق M4 من ترنبة إلى عين الحور اعتباراً من 15 آذار 2020",
                "text": "From 15 March 2020 Russia and Turkey run joint patrols along the M4 from Trumba "
                "(2 km west of Saraqib) to Ain al-Havr. Obstructing or attacking them breaches this "
                "point, whoever does it.",
                "kind": "patrols",
                "obligated_parties": IDLIB_WARRING_PARTIES,
                "areas": [CORRIDOR],
                "in_force_from": damascus(2020, 3, 15),
                "prohibited_categories": ["patrol_obstructed"],
            },
        ],
        "deadlines": [
            {
                "clause": "2",
                "description": "Parameters of the M4 security corridor agreed",
                "description_ar": "الاتفاق على معايير الممر الآمن على الطريق M4",
                "due_date": dt.date(2020, 3, 12),
            },
            {
                "clause": "3",
                "description": "Joint patrols on the M4 begin",
                "description_ar": "بدء الدوريات المشتركة على الطريق M4",
                "due_date": dt.date(2020, 3, 15),
            },
        ],
    },
]

# --- Incidents -------------------------------------------------------------------------------
SOHR = ("Syrian Observatory for Human Rights", "https://www.syriahr.com/en/")
SNHR = ("Syrian Network for Human Rights", "https://snhr.org/")
OCHA = ("UN OCHA via ReliefWeb", "https://reliefweb.int/")
WHITE_HELMETS = ("Syria Civil Defence (White Helmets)", "https://www.whitehelmets.org/en/")
ANADOLU = ("Anadolu Agency", "https://www.aa.com.tr/en")
UCDP = ("UCDP Georeferenced Event Dataset (Syria 652.1601.1911)", "https://ucdp.uu.se/")


def source(outlet, published_on, reliability, notes="", confidential=False):
    name, url = outlet
    return {
        "name": name,
        "url": url,
        "published_on": published_on,
        "reliability": reliability,
        "notes": notes,
        "confidential": confidential,
    }


INCIDENTS = [
    {
        "external_id": "2019-04-saraqib-local-council",
        "occurred_at": damascus(2019, 4, 1),
        "occurred_until": damascus(2019, 4, 11),
        "date_precision": "days",
        "place_name": "Saraqib (Saraqeb), local council building",
        "admin1": "Idlib",
        "admin2": "Idlib",
        "latitude": SARAQIB[1],
        "longitude": SARAQIB[0],
        "location_precision": "exact",
        "category": "shelling",
        "perpetrator": "Syrian government",
        "target_type": "council_building",
        "weapons": ["cluster_munitions", "rockets"],
        "description": "Summary of reporting: in early April 2019 Syrian government forces fired "
        "rockets carrying cluster munitions at the building of Saraqeb's local council, in the "
        "demilitarized zone. The exact day is not given in the summary, hence the window.",
        "status": "verified",
        "sources": [
            source(SNHR, None, "B"),
        ],
    },
    {
        "external_id": "2019-04-02-sahl-al-ghab",
        "occurred_at": damascus(2019, 4, 2),
        "occurred_until": None,
        "date_precision": "day",
        "place_name": "Sahl al-Ghab plain",
        "admin1": "Hama",
        "admin2": "Al-Suqaylabiyah",
        "latitude": 35.63,
        "longitude": 36.35,
        "location_precision": "district",
        "category": "shelling",
        "perpetrator": "Syrian armed opposition",
        "target_type": "military",
        "weapons": ["artillery"],
        "killed_combatants": 2,
        "description": "Summary of reporting: opposition factions shelled government positions in the "
        "Ghab plain amid renewed escalation; two government fighters were reported killed. Located "
        "only to the plain (UCDP GED event 282492, location precision 5).",
        "status": "verified",
        "sources": [
            source(SOHR, dt.date(2019, 4, 2), "C"),
            source(UCDP, None, "B", "GED event 282492."),
        ],
    },
    {
        "external_id": "2019-04-04-kafr-nabl-market",
        "occurred_at": damascus(2019, 4, 4),
        "occurred_until": None,
        "date_precision": "day",
        "place_name": "Kafr Nabl, market area",
        "admin1": "Idlib",
        "admin2": "Maarat al-Numan",
        "latitude": 35.613964,
        "longitude": 36.560703,
        "location_precision": "exact",
        "category": "shelling",
        "perpetrator": "Syrian government",
        "target_type": "market",
        "weapons": ["rockets"],
        "killed_civilians": 5,
        "killed_unknown": 8,
        "injured_unknown": 27,
        "description": "Summary of reporting: rocket shelling by government forces hit the market area "
        "of Kafr Nabl; 13 people were reported killed (at least 5 of them confirmed civilians) and "
        "about 40 people killed or wounded in all. Injured count derived from that total.",
        "status": "verified",
        "sources": [
            source(SOHR, dt.date(2019, 4, 4), "C"),
            source(UCDP, None, "B", "GED event 282578."),
        ],
    },
    {
        "external_id": "2019-04-07-saraqib-shelling",
        "occurred_at": damascus(2019, 4, 7),
        "occurred_until": None,
        "date_precision": "day",
        "place_name": "Saraqib",
        "admin1": "Idlib",
        "admin2": "Idlib",
        "latitude": 35.86447,
        "longitude": 36.80591,
        "location_precision": "exact",
        "category": "shelling",
        "perpetrator": "Syrian government",
        "target_type": "residential",
        "weapons": ["rockets", "artillery"],
        "killed_civilians": 7,
        "description": "Summary of reporting: on 7 April 2019 government rocket and artillery fire hit "
        "Saraqib, Maarat al-Numan, Kafranbel and nearby villages; seven civilians were reported "
        "killed in Saraqib. Civil Defence sources gave 11 killed and 40 injured across the area.",
        "status": "verified",
        "sources": [
            source(SOHR, dt.date(2019, 4, 8), "C"),
            source(
                ANADOLU,
                dt.date(2019, 4, 8),
                "C",
                "Citing White Helmets sources: 11 killed, 40 injured across Idlib that day.",
            ),
            source(UCDP, None, "B", "GED event 282630."),
        ],
    },
    {
        "external_id": "2019-04-08-kafr-zita-air-strikes",
        "occurred_at": damascus(2019, 4, 8),
        "occurred_until": None,
        "date_precision": "day",
        "place_name": "Kafr Zita",
        "admin1": "Hama",
        "admin2": "Muhradah",
        "latitude": 35.37425,
        "longitude": 36.6033,
        "location_precision": "near",
        "category": "air_strike",
        "perpetrator": None,
        "target_type": "residential",
        "weapons": ["aircraft_munition"],
        "killed_civilians": 1,
        "injured_civilians": 9,
        "description": "Summary of reporting: six air strikes hit Kafr Zita in northern Hama, killing one "
        "civilian and injuring nine, four children and two women among them. Whether Syrian or "
        "Russian aircraft flew them is not established, so the perpetrator is left unknown.",
        "status": "under_review",
        "sources": [
            source(
                OCHA,
                dt.date(2019, 7, 4),
                "A",
                "Turkey/Syria cross-border humanitarian reach and activities, April 2019.",
            ),
        ],
    },
    {
        "external_id": "2019-04-turkish-patrol-turned-back",
        "occurred_at": damascus(2019, 4, 1),
        "occurred_until": damascus(2019, 4, 11),
        "date_precision": "days",
        "place_name": "Maarat al-Numan district",
        "admin1": "Idlib",
        "admin2": "Maarat al-Numan",
        "latitude": 35.55,
        "longitude": 36.75,
        "location_precision": "district",
        "category": "patrol_obstructed",
        "perpetrator": None,
        "target_type": "vehicle",
        "weapons": ["artillery"],
        "description": "Summary of reporting: a Turkish military patrol in the demilitarized zone was "
        "forced to retreat when shells fell near its route. Who fired, and where exactly, are not "
        "established: located to the district only, under review.",
        "status": "under_review",
        "sources": [
            source(
                ("Local witness (name withheld)", ""),
                None,
                "F",
                "Demo record standing for a confidential witness statement; not a real person.",
                confidential=True,
            ),
        ],
    },
    {
        "external_id": "2019-04-22-saraqib-market",
        "occurred_at": damascus(2019, 4, 22),
        "occurred_until": None,
        "date_precision": "day",
        "place_name": "Saraqib, popular market",
        "admin1": "Idlib",
        "admin2": "Idlib",
        "latitude": SARAQIB[1],
        "longitude": SARAQIB[0],
        "location_precision": "exact",
        "category": "shelling",
        "perpetrator": "Syrian government",
        "target_type": "market",
        "weapons": ["artillery"],
        "killed_civilians": 1,
        "injured_civilians": 3,
        "description": "Summary of reporting: high-explosive rockets from government artillery hit the "
        "popular market of Saraqib, killing one civilian and injuring three.",
        "status": "verified",
        "sources": [
            source(WHITE_HELMETS, dt.date(2019, 4, 22), "B"),
            source(ANADOLU, dt.date(2019, 4, 22), "C"),
        ],
    },
]
