"""Two-factor sign-in: required of everyone who may see confidential sources when
TRACKER_REQUIRE_2FA_FOR_CONFIDENTIAL is on, at the admin login and for an API token; others sign
in with a password alone."""

import pytest
from django.urls import reverse

from accounts import two_factor
from core.roles import ANALYST, VIEWER
from tests.factories import AuthenticatorAppFactory, UserFactory, current_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _required(settings):
    settings.TRACKER_REQUIRE_2FA_FOR_CONFIDENTIAL = True
    # django-otp makes a device wait 1 s, 2 s, 4 s... after each wrong code; the tests do not wait.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.fixture
def analyst(roles):
    return UserFactory(username="ana", roles=[ANALYST])


@pytest.fixture
def app(analyst):
    return AuthenticatorAppFactory(user=analyst)


def get_token(client, **data):
    return client.post(reverse("api:token"), {"username": "ana", "password": "pw", **data})


def admin_login(client, **data):
    return client.post(reverse("admin:login"), {"username": "ana", "password": "pw", **data})


def test_the_token_endpoint_asks_the_code_of_a_user_who_may_see_confidential_sources(client, app):
    assert get_token(client).status_code == 400
    assert "otp" in get_token(client, otp="000000").json()
    response = get_token(client, otp=current_code(app))
    assert response.status_code == 200
    assert response.json()["token"]


def test_no_token_before_two_factor_sign_in_is_set_up(client, analyst):
    response = get_token(client)
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]


def test_a_viewer_gets_a_token_with_a_password_alone(client, roles):
    UserFactory(username="ana", roles=[VIEWER])
    assert get_token(client).status_code == 200


def test_with_the_setting_off_a_password_is_enough(client, analyst, settings):
    settings.TRACKER_REQUIRE_2FA_FOR_CONFIDENTIAL = False
    assert get_token(client).status_code == 200


def test_a_recovery_code_works_once(client, app):
    code = two_factor.new_recovery_codes(app.user)[0]
    assert get_token(client, otp=code).status_code == 200
    assert get_token(client, otp=code).status_code == 400


def test_wrong_codes_lock_out_like_wrong_passwords(client, app, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        response = get_token(client, otp="123456")
    assert response.status_code == 429
    assert get_token(client, otp=current_code(app)).status_code == 429


def test_the_admin_login_asks_the_code(client, app):
    response = admin_login(client)
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert "_auth_user_id" not in client.session

    assert admin_login(client, otp_token=current_code(app)).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_password_only_session_cannot_open_the_admin_or_the_api(client, app):
    client.force_login(app.user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two-factor-verify"))
    assert client.get(reverse("api:incident-list")).status_code == 403

    client.post(reverse("accounts:two-factor-verify"), {"code": current_code(app)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_viewer_signs_in_to_the_admin_with_a_password_alone(client, roles):
    UserFactory(username="ana", roles=[VIEWER])
    assert admin_login(client).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_password_only_session_cannot_replace_the_app(client, app, analyst):
    client.force_login(analyst)  # a session without the code
    response = client.post(reverse("accounts:two-factor"), {"code": "000000"})
    assert response.status_code == 302 and reverse("accounts:two-factor-verify") in response["Location"]
    assert two_factor.is_enrolled(analyst)
    assert type(app).objects.filter(pk=app.pk).exists()


def test_a_token_got_before_two_factor_was_required_stops_working(client, roles, settings):
    from rest_framework.authtoken.models import Token

    settings.TRACKER_API_PERMISSION_CACHE_SECONDS = 0
    user = UserFactory(username="ana", roles=[VIEWER])
    key = Token.objects.create(user=user).key
    assert client.get("/api/v1/incidents/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    user.groups.set([user.groups.model.objects.get(name=ANALYST)])  # promoted: may see confidential sources
    user = type(user).objects.get(pk=user.pk)
    assert client.get("/api/v1/incidents/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_setting_up_the_app_ends_the_old_tokens(analyst):
    from rest_framework.authtoken.models import Token

    Token.objects.create(user=analyst)
    device = two_factor.pending_app_device(analyst)
    from tests.factories import current_code

    assert two_factor.confirm_app_device(device, current_code(device)) is not None
    assert not Token.objects.filter(user=analyst).exists()
