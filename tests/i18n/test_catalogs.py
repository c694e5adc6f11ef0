"""The Arabic catalogs: complete, none fuzzy, and up to date with the code (docs/languages.md)."""

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

BASE = Path(settings.BASE_DIR)
CATALOGS = sorted([*BASE.glob("*/locale/ar/LC_MESSAGES/*.po"), *BASE.glob("locale/ar/LC_MESSAGES/*.po")])
# The apps whose texts this branch translates, with their JavaScript catalogs.
APPS_WITH_JS = {"core", "incidents", "reports"}


def catalog_id(path: Path) -> str:
    return str(path.relative_to(BASE))


def test_every_app_that_speaks_to_readers_has_an_arabic_catalog():
    found = {catalog_id(path) for path in CATALOGS}
    for app in (
        "core",
        "accounts",
        "agreements",
        "incidents",
        "tracker",
        "imports",
        "reports",
        "alerts",
        "demo",
    ):
        assert f"{app}/locale/ar/LC_MESSAGES/django.po" in found
    for app in APPS_WITH_JS:
        assert f"{app}/locale/ar/LC_MESSAGES/djangojs.po" in found
    assert "locale/ar/LC_MESSAGES/django.po" in found


@pytest.mark.parametrize("path", CATALOGS, ids=catalog_id)
def test_the_catalog_is_complete_and_nothing_is_fuzzy(path):
    catalog = polib.pofile(str(path))
    assert not catalog.metadata_is_fuzzy, "the header is fuzzy: msgfmt would drop the plural forms"
    assert catalog.metadata.get("Plural-Forms", "").startswith("nplurals=6;")
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    assert fuzzy == [], f"fuzzy in {catalog_id(path)}"
    assert untranslated == [], f"untranslated in {catalog_id(path)}"


@pytest.mark.parametrize("path", CATALOGS, ids=catalog_id)
def test_placeholders_are_kept(path):
    """A translation names the same %(placeholders)s as its English: a missing or misspelt one
    would raise, or lose a value, when the message is formatted."""
    for entry in polib.pofile(str(path)).translated_entries():
        if "python-format" not in entry.flags and "python-brace-format" not in entry.flags:
            continue
        english = entry.msgid_plural or entry.msgid
        wanted = set(_placeholders(english))
        for translation in entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]:
            assert set(_placeholders(translation)) <= wanted | set(_placeholders(entry.msgid)), entry.msgid
        if not entry.msgid_plural:
            assert set(_placeholders(entry.msgstr)) == wanted, entry.msgid


def _placeholders(text: str) -> list[str]:
    import re

    return re.findall(r"%\((\w+)\)[sd]", text)


@pytest.mark.skipif(
    shutil.which("xgettext") is None and os.environ.get("CI") != "true",
    reason="makemessages needs GNU gettext's xgettext",
)
def test_the_catalogs_hold_every_text_of_the_code_and_no_other(tmp_path, monkeypatch):
    """makemessages, run as the catalogs were made (inside each app, and at the top for config/ and
    templates/), on a copy: the msgids it finds are exactly those of the committed catalogs."""
    for path in CATALOGS:
        root = path.parents[3]  # <app>/ or the project
        name = root.name if root != BASE else "project"
        copy = tmp_path / name
        if not copy.exists():
            _copy_sources(root, copy, top=root == BASE)
        monkeypatch.chdir(copy)
        domain = path.stem
        call_command("makemessages", locale=["ar"], domain=domain, verbosity=0, no_obsolete=True)
        fresh = {(e.msgctxt, e.msgid) for e in polib.pofile(str(copy / "locale/ar/LC_MESSAGES" / path.name))}
        committed = {(e.msgctxt, e.msgid) for e in polib.pofile(str(path))}
        assert fresh - committed == set(), f"texts missing from {catalog_id(path)}: run makemessages"
        assert committed - fresh == set(), f"texts no longer in the code, in {catalog_id(path)}"


def _copy_sources(root: Path, copy: Path, top: bool) -> None:
    """The files makemessages reads (Python, templates, JavaScript) and the catalogs."""
    wanted = ("*.py", "*.html", "*.txt", "*.js", "*.po")
    folders = [BASE / "config", BASE / "templates", BASE / "locale"] if top else [root]
    for folder in folders:
        for pattern in wanted:
            for source in folder.rglob(pattern):
                if "vendor" in source.parts or "__pycache__" in source.parts:
                    continue
                target = copy / source.relative_to(root)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
    (copy / "locale").mkdir(exist_ok=True)
