"""ensure_admin creates the first account with a password the validators accept."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("password", ["admin", "12345678", "password"])
def test_a_weak_password_is_refused(monkeypatch, password):
    monkeypatch.setenv("DJANGO_ADMIN_PASSWORD", password)
    with pytest.raises(CommandError, match="too weak"):
        call_command("ensure_admin")
    assert not get_user_model().objects.exists()


def test_a_strong_password_makes_the_account(monkeypatch, settings, tmp_path):
    monkeypatch.setenv("DJANGO_ADMIN_PASSWORD", "correct-horse-battery-staple-17")
    settings.VAR_DIR = tmp_path
    call_command("ensure_admin")
    assert get_user_model().objects.get(username="admin").check_password("correct-horse-battery-staple-17")


def test_a_generated_password_passes_the_validators(monkeypatch, settings, tmp_path):
    monkeypatch.delenv("DJANGO_ADMIN_PASSWORD", raising=False)
    settings.VAR_DIR = tmp_path
    call_command("ensure_admin")
    assert (tmp_path / "admin-password.txt").exists()
