"""Production settings plus the benchmark's own URLs (bench/urls.py): never deployed."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
