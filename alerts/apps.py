from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Alerts and webhooks"

    def ready(self):
        from . import receivers  # noqa: F401
