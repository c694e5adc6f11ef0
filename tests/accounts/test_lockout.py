"""Password guessing is throttled by account and by address, at the API token and the admin login.

After TRACKER_LOGIN_FAILURE_LIMIT wrong passwords for one account (from any address), or from one
address (for any accounts), sign-in is refused, even with the right password, until the cool-off
ends or an administrator unlocks it.
"""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LIMIT = 5


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT


@pytest.fixture
def ana(db):
    return UserFactory(username="ana")


def get_token(client, username="ana", password="pw", address="10.0.0.1"):
    return client.post(
        reverse("api:token"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def admin_login(client, username="ana", password="pw", address="10.0.0.1"):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_the_token_endpoint_answers_429_and_refuses_the_right_password_after_the_limit(client, ana):
    for _ in range(LIMIT - 1):
        assert get_token(client, password="guess").status_code == 400
    locked = get_token(client, password="guess")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 30 * 60
    assert "Too many failed sign-ins" in locked.json()["detail"]

    right = get_token(client)
    assert right.status_code == 429
    assert "token" not in right.json()


def test_one_account_is_locked_whatever_the_address(client, ana):
    for n in range(LIMIT):
        get_token(client, password="guess", address=f"10.0.1.{n}")
    assert get_token(client, address="10.0.2.1").status_code == 429


def test_one_address_is_locked_whatever_the_account(client, ana):
    for n in range(LIMIT):
        get_token(client, username=f"someone{n}", password="guess", address="10.0.0.9")
    assert get_token(client, address="10.0.0.9").status_code == 429
    assert get_token(client, address="10.0.0.10").status_code == 200


def test_the_admin_login_locks_out_with_a_kind_message(client, ana):
    for _ in range(LIMIT):
        admin_login(client, password="guess")
    response = admin_login(client)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-ins" in page
    assert "30 minutes" in page
    assert "_auth_user_id" not in client.session


def test_the_lock_ends_after_the_cool_off(client, ana):
    for _ in range(LIMIT):
        get_token(client, password="guess")
    assert get_token(client).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))
    assert get_token(client).status_code == 200


def test_an_administrator_unlocks_an_account(client, ana):
    for n in range(LIMIT):
        get_token(client, password="guess", address=f"10.0.1.{n}")
    call_command("axes_reset_username", "ana")
    assert get_token(client, address="10.0.3.1").status_code == 200


def test_an_administrator_unlocks_an_address(client, ana):
    for n in range(LIMIT):
        get_token(client, username=f"someone{n}", password="guess", address="10.0.0.9")
    call_command("axes_reset_ip", "10.0.0.9")
    assert get_token(client, address="10.0.0.9").status_code == 200


def test_behind_a_proxy_the_forwarded_address_counts(client, ana, settings):
    settings.TRACKER_TRUSTED_PROXIES = 1
    for n in range(LIMIT):
        client.post(
            reverse("api:token"),
            {"username": f"someone{n}", "password": "guess"},
            REMOTE_ADDR="192.168.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
    other_client = {"REMOTE_ADDR": "192.168.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.8"}
    assert (
        client.post(reverse("api:token"), {"username": "ana", "password": "pw"}, **other_client).status_code
        == 200
    )
