"""Production settings refuse unsafe configurations and pass Django's deployment checklist."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

GOOD_KEY = "x" * 20 + "-production-secret-key-for-the-test-only-0123456789"
WEAK_KEYS = ["a" * 60, "secret" * 10, "django-insecure-" + "k3y" * 20]


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.production", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_ALLOWED_HOSTS="tracker.example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("key", WEAK_KEYS)
def test_production_refuses_a_weak_secret_key(key):
    result = manage("check", DJANGO_SECRET_KEY=key, DJANGO_ALLOWED_HOSTS="tracker.example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = manage(
        "check", DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_ALLOWED_HOSTS="tracker.example.org", DJANGO_DEBUG="true"
    )
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be off" in result.stderr


def test_production_passes_the_deployment_checklist_with_no_warning():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=GOOD_KEY,
        DJANGO_ALLOWED_HOSTS="tracker.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_shared_cache_is_the_brokers_redis_next_database():
    """Throttle counters are shared by all processes when there is a Redis; flushing the cache
    (as tests do) must never touch the broker's queues."""
    from config.settings.base import _redis_cache_url

    assert _redis_cache_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/1"
    assert (
        _redis_cache_url("redis://:secret@redis.example.org:6380")
        == "redis://:secret@redis.example.org:6380/1"
    )
    assert _redis_cache_url("rediss://cache:6379/4") == "rediss://cache:6379/5"
    assert _redis_cache_url("redis://127.0.0.1:6379/15") == "redis://127.0.0.1:6379/14"
    assert _redis_cache_url("unix:///tmp/redis.sock?db=0") is None  # then CACHE_REDIS_URL
    expected = "RedisCache" if os.environ.get("REDIS_URL") else "LocMemCache"
    assert settings.CACHES["default"]["BACKEND"].endswith(expected)
    assert settings.CACHES["local"]["BACKEND"].endswith("LocMemCache")


def test_no_benchmark_view_is_routed_in_the_site():
    from django.urls import Resolver404, resolve

    with pytest.raises(Resolver404):
        resolve("/bench/ok")
