"""A user's language: chosen with the switcher, stored, and applied to the pages and the emails."""

import pytest
from django.urls import reverse

from accounts.language import chosen_language, language_for
from accounts.models import Preference

pytestmark = pytest.mark.django_db


def test_english_is_the_default(client, superuser):
    assert language_for(superuser) == "en" and chosen_language(superuser) is None
    client.force_login(superuser)
    page = client.get(reverse("admin:index")).content.decode()
    assert '<html lang="en" dir="ltr">' in page
    assert "Agreements, incidents and compliance" in page


def test_the_switcher_stores_the_choice_and_the_pages_follow_it(client, superuser):
    client.force_login(superuser)
    page = client.get(reverse("admin:index")).content.decode()
    assert f'action="{reverse("accounts:set-language")}"' in page and 'value="ar"' in page

    response = client.post(reverse("accounts:set-language"), {"language": "ar", "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert Preference.objects.get(user=superuser).language == "ar"
    assert language_for(superuser) == "ar"

    # The preference wins over the browser's languages, in a new session too.
    client.cookies.clear()
    client.force_login(superuser)
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "الاتفاقات والحوادث والالتزام" in page


def test_an_unsupported_language_changes_nothing(client, superuser):
    client.force_login(superuser)
    client.post(reverse("accounts:set-language"), {"language": "xx", "next": "/admin/"})
    assert not Preference.objects.filter(user=superuser).exists()


def test_a_visitor_gets_the_browsers_language_and_can_switch_on_the_login_page(client):
    page = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="ar" dir="rtl">' in page and "رمز التحقق الثنائي" in page
    assert f'action="{reverse("accounts:set-language")}"' in page
    client.post(reverse("accounts:set-language"), {"language": "en", "next": "/admin/login/"})
    page = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert '<html lang="en" dir="ltr">' in page  # the cookie wins over the browser


def test_the_preference_is_on_the_users_admin_page(client, superuser):
    client.force_login(superuser)
    page = client.get(reverse("admin:auth_user_change", args=[superuser.pk])).content.decode()
    assert 'name="preference-0-language"' in page
