from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Compliance"

    def ready(self):
        from . import signals  # noqa: F401
