"""The week of tests/reports/conftest.py with its names in Arabic too, as the demo has them."""

AGREEMENT = "مذكرة سوتشي"
CEASEFIRE = "وقف إطلاق النار"
ZONE = "المنطقة منزوعة السلاح"
GOVERNMENT = "الحكومة السورية"
HTS = "هيئة تحرير الشام"
WEAPONS_OUT = "سحب الأسلحة الثقيلة من المنطقة"


def name_in_arabic(week: dict) -> dict:
    """Give the fixture week's agreement, clauses, parties, area and missed deadline Arabic names."""
    agreement = week["agreement"]
    agreement.title_ar = AGREEMENT
    agreement.save()
    ceasefire, zone_clause = week["clauses"]
    ceasefire.title_ar = CEASEFIRE
    ceasefire.save()
    zone_clause.title_ar = ZONE
    zone_clause.save()
    for party, name in ((week["gov"], GOVERNMENT), (week["hts"], HTS)):
        party.name_ar = name
        party.save()
    area = agreement.areas.get()
    area.name_ar = ZONE
    area.save()
    missed = week["deadlines"]["missed"]
    missed.description_ar = WEAPONS_OUT
    missed.save()
    return week
