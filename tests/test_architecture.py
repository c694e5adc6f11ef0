"""Dependencies between our apps point one way: each app imports only the apps below it.

The order is INSTALLED_APPS' (core lowest, demo highest); `config` wires them all and no app
imports it. Migrations are history and are left out.
"""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = [app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").exists()]


def imported_apps(path: Path) -> set[str]:
    """Our top-level apps (and config) that a module imports, at any depth of the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(name.split(".")[0] for name in names)
    return found & {*APPS, "config"}


def test_the_apps_are_the_installed_ones_in_their_order():
    assert APPS == [
        "core",
        "accounts",
        "agreements",
        "incidents",
        "tracker",
        "events",
        "imports",
        "reports",
        "alerts",
        "demo",
    ]


def test_each_app_imports_only_the_apps_below_it():
    wrong = []
    for level, app in enumerate(APPS):
        allowed = {app, *APPS[:level]}
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for other in sorted(imported_apps(path) - allowed):
                wrong.append(f"{path.relative_to(ROOT)} imports {other}")
    assert wrong == []


def test_no_module_pulls_parts_in_at_its_bottom():
    """Wiring by `# noqa: E402` imports hides an app inside another: apps register themselves."""
    offenders = [
        str(path.relative_to(ROOT))
        for app in [*APPS, "config"]
        for path in (ROOT / app).rglob("*.py")
        if "noqa: E402" in path.read_text()
    ]
    assert offenders == []
