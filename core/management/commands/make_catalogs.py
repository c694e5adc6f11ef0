"""Bring the Arabic catalogs up to date with the code (needs GNU gettext's xgettext).

Each of our apps keeps its own catalog inside the app (`<app>/locale/ar/`), and the project's
own texts (config/, templates/) are at the top (`locale/ar/`). makemessages writes to the
`locale/` folder of the directory it runs in, so this runs it inside each app in turn, after
Django is set up: running `manage.py makemessages` from an app's folder would let that folder
shadow top-level modules (Celery's Django fix-up puts the working directory first on sys.path,
and tracker/events.py would hide the events app).
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from .compile_translations import our_apps

LANGUAGES = ["ar"]
NOT_OURS_AT_THE_TOP = ["tests", "bench", "var", ".venv", "staticfiles", "node_modules"]


def has_javascript_texts(app: Path) -> bool:
    return any("gettext(" in js.read_text(errors="ignore") for js in (app / "static").rglob("*.js"))


class Command(BaseCommand):
    help = "Update every Arabic catalog (each app's and the project's) from the code; then translate what is new."

    def handle(self, *args, **options):
        base = Path(settings.BASE_DIR).resolve()
        start = os.getcwd()
        apps_folders = our_apps()
        try:
            for app in apps_folders:
                (app / "locale").mkdir(exist_ok=True)
                os.chdir(app)
                call_command("makemessages", locale=LANGUAGES, no_obsolete=True, verbosity=0)
                if has_javascript_texts(app):
                    call_command(
                        "makemessages",
                        locale=LANGUAGES,
                        domain="djangojs",
                        no_obsolete=True,
                        ignore_patterns=["*/vendor/*"],
                        verbosity=0,
                    )
                self.stdout.write(f"{app.name}: up to date")
            os.chdir(base)
            ignored = [app.name for app in apps_folders] + NOT_OURS_AT_THE_TOP
            call_command(
                "makemessages", locale=LANGUAGES, no_obsolete=True, ignore_patterns=ignored, verbosity=0
            )
            self.stdout.write("the project's own (config/, templates/): up to date")
        finally:
            os.chdir(start)
