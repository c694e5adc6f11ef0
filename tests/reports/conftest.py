import datetime as dt
import zoneinfo

import pytest

import reports.admin  # noqa: F401  (tracker/admin.py imports it once merged; idempotent)
from agreements.choices import DeadlineStatus
from core.choices import IncidentCategory
from tests.factories import (
    AgreementFactory,
    AreaFactory,
    ClauseFactory,
    DeadlineFactory,
    IncidentFactory,
    PartyFactory,
    SourceFactory,
    ViolationFactory,
    square,
)

UTC = dt.UTC
DAMASCUS = zoneinfo.ZoneInfo("Asia/Damascus")
WEEK_START = dt.date(2019, 4, 1)
WEEK_END = dt.date(2019, 4, 7)


def local(*args):
    return dt.datetime(*args, tzinfo=DAMASCUS)


@pytest.fixture
def fixture_week(db):
    """A known week (1-7 April 2019, Damascus time) of violations, with decoys around it.

    Expected, for agreement `sochi`: §1 3 violations (2 flagged, 1 confirmed; 1 high, 2 low),
    §2 2 (1 high, 1 medium) plus 1 dismissed; Government 3 violations in 2 incidents, HTS 1,
    unknown 1; 4 incidents, 4 killed, 5 injured; previous week 1 violation (§1, Government).
    """
    gov = PartyFactory(name="Government of Syria")
    hts = PartyFactory(name="Hay'at Tahrir al-Sham")
    zone = AreaFactory(name="Demilitarized zone", slug="dmz", geometry=square(36.7, 35.8, 0.3))
    sochi = AgreementFactory(slug="sochi-2018", title="Sochi memorandum", timezone="Asia/Damascus")
    sochi.areas.set([zone])
    other = AgreementFactory(slug="astana-2017", title="Astana memorandum")
    c1 = ClauseFactory(agreement=sochi, number="1", title="Ceasefire")
    c2 = ClauseFactory(agreement=sochi, number="2", title="Demilitarized zone", areas=[zone])
    other_clause = ClauseFactory(agreement=other, number="1", title="De-escalation")

    inc1 = IncidentFactory(
        occurred_at=local(2019, 4, 2, 10),
        perpetrator=gov,
        place_name="Saraqib",
        admin2="Idlib district",
        category=IncidentCategory.SHELLING,
        killed_civilians=3,
        injured_civilians=5,
        description="Cluster munitions on the local council",
    )
    ViolationFactory(incident=inc1, clause=c1, confidence="high", status="flagged")
    ViolationFactory(incident=inc1, clause=c2, confidence="medium", status="confirmed")
    SourceFactory(incident=inc1, name="SOHR bulletin", url="https://example.org/sohr")
    SourceFactory(incident=inc1, name="Witness Abu Khaled", url="", confidential=True)

    inc2 = IncidentFactory(
        occurred_at=local(2019, 4, 3, 8),
        perpetrator=gov,
        category=IncidentCategory.AIR_STRIKE,
        place_name="Ariha",
        latitude=35.817,
        longitude=36.6,
        killed_combatants=1,
    )
    ViolationFactory(incident=inc2, clause=c1, confidence="low", status="confirmed")

    inc3 = IncidentFactory(occurred_at=local(2019, 4, 5, 12), perpetrator=None, place_name="Khan Shaykhun")
    ViolationFactory(incident=inc3, clause=c1, confidence="low", status="flagged")

    inc4 = IncidentFactory(occurred_at=local(2019, 4, 6, 12), perpetrator=hts, injured_civilians=2)
    ViolationFactory(incident=inc4, clause=c2, confidence="high", status="dismissed")

    # 01:00 on 1 April in Damascus is still 31 March in UTC: inside the week.
    inc5 = IncidentFactory(occurred_at=local(2019, 4, 1, 1), perpetrator=hts, place_name="Jisr al-Shughur")
    ViolationFactory(incident=inc5, clause=c2, confidence="high", status="flagged")

    # Decoys: next week by local time, withdrawn, another agreement, and the previous week.
    inc6 = IncidentFactory(occurred_at=local(2019, 4, 8, 1, 30), perpetrator=gov, killed_civilians=50)
    ViolationFactory(incident=inc6, clause=c1)
    inc7 = IncidentFactory(occurred_at=local(2019, 4, 4, 9), perpetrator=gov, killed_civilians=40)
    ViolationFactory(incident=inc7, clause=c1, status="withdrawn")
    inc8 = IncidentFactory(occurred_at=local(2019, 4, 2, 9), perpetrator=gov, killed_civilians=30)
    ViolationFactory(incident=inc8, clause=other_clause)
    inc9 = IncidentFactory(occurred_at=local(2019, 3, 27, 9), perpetrator=gov, killed_civilians=7)
    ViolationFactory(incident=inc9, clause=c1, confidence="high")

    missed = DeadlineFactory(
        clause=c2, description="Heavy weapons out of the zone", due_date=dt.date(2019, 4, 3)
    )
    missed.status = DeadlineStatus.MISSED
    missed.missed_at = local(2019, 4, 4, 0, 5)
    missed.save()
    old = DeadlineFactory(clause=c2, description="Radical groups out", due_date=dt.date(2018, 10, 15))
    old.status = DeadlineStatus.MISSED
    old.save()
    DeadlineFactory(clause=c1, description="Joint patrols begin", due_date=dt.date(2019, 4, 20))
    met = DeadlineFactory(clause=c1, description="Hotline set up", due_date=dt.date(2019, 4, 5))
    met.status = DeadlineStatus.MET
    met.met_at = local(2019, 4, 4, 12)
    met.save()
    return {
        "agreement": sochi,
        "other": other,
        "gov": gov,
        "hts": hts,
        "clauses": (c1, c2),
        "incidents": {"saraqib": inc1, "ariha": inc2},
        "deadlines": {"missed": missed, "old": old},
    }
