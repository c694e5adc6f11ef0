"""The enrolment page: a QR code drawn on the page, a code to confirm, recovery codes shown once."""

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import ANALYST
from tests.factories import UserFactory, current_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _required(settings):
    settings.TRACKER_REQUIRE_2FA_FOR_CONFIDENTIAL = True
    # django-otp makes a device wait 1 s, 2 s, 4 s... after each wrong code; the tests do not wait.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def test_an_analyst_not_yet_enrolled_is_led_through_setting_it_up(client, roles):
    analyst = UserFactory(username="ana", roles=[ANALYST])
    assert client.post(reverse("admin:login"), {"username": "ana", "password": "pw"}).status_code == 302
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("accounts:two-factor"))

    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and "authenticator app" in page
    assert "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")

    device = TOTPDevice.objects.get(user=analyst, confirmed=False)
    wrong = client.post(reverse("accounts:two-factor"), {"code": "000000"})
    assert "That code is not right" in wrong.content.decode()

    done = client.post(reverse("accounts:two-factor"), {"code": current_code(device)})
    page = done.content.decode()
    assert "shown only this once" in page
    assert len(re.findall(r"<li>[a-z0-9]{8}</li>", page)) == 10
    assert client.get(reverse("admin:index")).status_code == 200

    again = client.get(reverse("accounts:two-factor")).content.decode()
    assert "Two-factor sign-in is on" in again
    assert "<li>" not in again  # the recovery codes are not shown again
