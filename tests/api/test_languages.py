"""The API speaks the reader's language: Accept-Language first, else the user's preference, else English."""

import icalendar
import pytest
from django.urls import reverse

from accounts.language import set_language
from agreements.models import Party
from imports.services import party_id_of, party_lookup
from tests.factories import AgreementFactory, DeadlineFactory, PartyAliasFactory, PartyFactory

pytestmark = pytest.mark.django_db

BAD_PAGE = "/api/v1/incidents/?page_size=none"


def test_errors_are_in_english_by_default(client, viewer):
    client.force_authenticate(viewer)
    response = client.get(BAD_PAGE)
    assert response.status_code == 400
    assert response.json() == {"page_size": ["Expected a whole number from 1 to 1000."]}
    assert response["Content-Language"] == "en"


def test_accept_language_arabic_gives_arabic_errors_ours_and_drfs(client, viewer):
    client.force_authenticate(viewer)
    assert client.get(BAD_PAGE, HTTP_ACCEPT_LANGUAGE="ar").json() == {
        "page_size": ["يُتوقع عدد صحيح من 1 إلى 1000."]
    }
    client.force_authenticate(None)
    response = client.get("/api/v1/incidents/", HTTP_ACCEPT_LANGUAGE="ar-SY,ar;q=0.9,en;q=0.5")
    assert response.status_code == 401
    assert response["Content-Language"] == "ar"
    assert response.json()["detail"] == "لم يتم تزويد بيانات الدخول."  # DRF's own Arabic


def test_a_token_user_gets_their_language_unless_the_request_names_one(client, viewer, token_for):
    set_language(viewer, "ar")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(viewer)}")
    assert client.get(BAD_PAGE).json() == {"page_size": ["يُتوقع عدد صحيح من 1 إلى 1000."]}
    assert client.get(BAD_PAGE, HTTP_ACCEPT_LANGUAGE="en").json() == {
        "page_size": ["Expected a whole number from 1 to 1000."]
    }


def test_names_come_in_both_languages_and_a_search_in_either_finds_them(client, viewer):
    hts = PartyFactory(name="Hay'at Tahrir al-Sham", name_ar="هيئة تحرير الشام", short_name="HTS")
    PartyFactory(name="Turkey", name_ar="تركيا")
    sochi = AgreementFactory(title="Sochi memorandum", title_ar="مذكرة سوتشي")
    AgreementFactory(title="Astana memorandum", title_ar="مذكرة أستانا")
    client.force_authenticate(viewer)

    party = client.get(f"/api/v1/parties/{hts.pk}/").json()
    assert (party["name"], party["name_ar"]) == ("Hay'at Tahrir al-Sham", "هيئة تحرير الشام")
    assert [p["id"] for p in client.get("/api/v1/parties/", {"q": "تحرير"}).json()["results"]] == [hts.pk]
    assert [p["id"] for p in client.get("/api/v1/parties/", {"q": "Tahrir"}).json()["results"]] == [hts.pk]
    found = client.get("/api/v1/agreements/", {"q": "سوتشي"}).json()["results"]
    assert [(a["id"], a["title_ar"]) for a in found] == [(sochi.pk, "مذكرة سوتشي")]


def test_parties_match_arabic_names_and_aliases_in_any_common_spelling():
    hts = PartyFactory(name="Hay'at Tahrir al-Sham", name_ar="هيئة تحرير الشام")
    nusra = PartyFactory(name="Nusra Front")
    PartyAliasFactory(party=nusra, name="جبهة النصرة")
    assert Party.match("هيئة تحرير الشام") == hts
    assert Party.match("  هيئه   تحرير الشام ") == hts  # ta marbuta written as ha, spaces
    assert Party.match("جبهة النُّصرة") == nusra  # with harakat
    assert Party.match("جبهه نصره") == nusra  # without the article
    assert Party.match("جيش العزة") is None
    lookup = party_lookup()
    assert party_id_of("هيئه تحرير الشام", lookup) == hts.pk
    assert party_id_of("جبهة النصرة", lookup) == nusra.pk


def test_the_deadline_calendar_speaks_arabic(client, viewer, token_for):
    deadline = DeadlineFactory(description="Heavy weapons withdrawn", description_ar="سحب الأسلحة الثقيلة")
    agreement = deadline.agreement
    agreement.title_ar = "مذكرة سوتشي"
    agreement.save()
    response = client.get(
        reverse("api:deadlines-ics"), {"token": token_for(viewer)}, HTTP_ACCEPT_LANGUAGE="ar"
    )
    calendar = icalendar.Calendar.from_ical(response.content)
    event = next(iter(calendar.walk("VEVENT")))
    assert str(calendar["x-wr-calname"]) == "مواعيد وقف إطلاق النار النهائية"
    assert "سحب الأسلحة الثقيلة" in str(event["summary"])
    assert "الاتفاق: مذكرة سوتشي" in str(event["description"])
    english = client.get(reverse("api:deadlines-ics"), {"token": token_for(viewer)})
    assert "Heavy weapons withdrawn" in english.content.decode()
