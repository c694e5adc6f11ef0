"""Build the .mo files from the .po catalogs, without GNU gettext (polib)."""

from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


def our_apps() -> list[Path]:
    """The folders of the project's own apps (not the installed packages')."""
    base = Path(settings.BASE_DIR).resolve()
    folders = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(base) and ".venv" not in path.parts and path != base:
            folders.append(path)
    return folders


def catalogs() -> list[Path]:
    """Every .po of the project: each of our apps' locale/ folder, and LOCALE_PATHS."""
    folders = [Path(path) for path in settings.LOCALE_PATHS] + [app / "locale" for app in our_apps()]
    return sorted(po for folder in folders for po in folder.glob("*/LC_MESSAGES/*.po"))


def compile_catalog(po_path: Path) -> Path:
    """Write the .mo beside the .po; fuzzy entries are left out, as msgfmt does."""
    mo_path = po_path.with_suffix(".mo")
    polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
    return mo_path


class Command(BaseCommand):
    help = "Compile every .po catalog of the project to its .mo (only those out of date, unless --all)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Compile even the .mo files up to date.")

    def handle(self, *args, **options):
        compiled = 0
        for po_path in catalogs():
            mo_path = po_path.with_suffix(".mo")
            if options["all"] or not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
                compile_catalog(po_path)
                compiled += 1
        self.stdout.write(f"{compiled} catalog(s) compiled.")
