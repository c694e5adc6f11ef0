"""The four roles, as Django groups. Each role has the permissions of the one before it."""

VIEWER = "Viewer"
REPORTER = "Reporter"
ANALYST = "Analyst"
COORDINATOR = "Coordinator"

_READ_MODELS = {
    "agreements": [
        "party",
        "partyalias",
        "agreement",
        "agreementparty",
        "agreementlink",
        "area",
        "clause",
        "deadline",
    ],
    "incidents": ["incident", "source", "clauselink"],
    "tracker": ["violation", "jobrun"],
    "events": ["event", "candidatepair", "eventdecision"],
    "reports": ["reportsubscription", "report", "reportdelivery"],
}


def _view(app_models):
    return {f"{app}.view_{model}" for app, models in app_models.items() for model in models}


def _manage(app, models):
    return {f"{app}.{action}_{model}" for model in models for action in ("add", "change", "delete")}


ROLE_PERMISSIONS = {}
ROLE_PERMISSIONS[VIEWER] = _view(_READ_MODELS)
ROLE_PERMISSIONS[REPORTER] = ROLE_PERMISSIONS[VIEWER] | {
    "incidents.add_incident",
    "incidents.change_incident",
    "incidents.add_source",
    "incidents.change_source",
    "incidents.delete_source",
    "incidents.add_clauselink",
    "incidents.change_clauselink",
    "incidents.delete_clauselink",
    "imports.add_importjob",
    "imports.view_importjob",
}
ROLE_PERMISSIONS[ANALYST] = ROLE_PERMISSIONS[REPORTER] | {
    "incidents.verify_incident",
    "incidents.delete_incident",
    "incidents.view_confidential_source",
    "tracker.change_violation",
    "tracker.review_violation",
    "events.group_event",
    "incidents.view_actordecision",
    "incidents.add_actordecision",
    "incidents.change_actordecision",
}
ROLE_PERMISSIONS[COORDINATOR] = (
    ROLE_PERMISSIONS[ANALYST]
    | _manage(
        "agreements",
        ["party", "partyalias", "agreement", "agreementparty", "agreementlink", "area", "clause", "deadline"],
    )
    | _manage("reports", ["reportsubscription"])
    # Alerts: Coordinators set up rules (for themselves or a colleague, the rule's owner) and run
    # their delivery log; other roles neither see nor manage rules (docs/alerts.md).
    | _manage("alerts", ["alertrule"])
    | {"alerts.view_alertrule", "alerts.view_alertdelivery", "alerts.change_alertdelivery"}
)


def sync_roles(using: str = "default", **kwargs) -> None:
    """Create the groups and give them exactly their permissions. Safe to run again.

    Connected to post_migrate (CoreConfig.ready), so every migrate, and every test database,
    leaves the roles as ROLE_PERMISSIONS says: a change of permissions needs no migration.
    """
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    codes = set().union(*ROLE_PERMISSIONS.values())
    wanted = Q()
    for code in codes:
        app_label, codename = code.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    found = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using)
        .filter(wanted)
        .values_list("pk", "content_type__app_label", "codename")
    }
    missing = codes - set(found)
    if missing:
        raise LookupError(f"Roles name permissions that do not exist: {', '.join(sorted(missing))}")
    for role, role_codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set([found[code] for code in role_codes])


def sync_roles_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """post_migrate is sent once per app: sync when the last app with models is done, by
    which time Django has created every app's permissions."""
    from django.apps import apps

    if sender is [config for config in apps.get_app_configs() if config.models_module][-1]:
        sync_roles(using=using)
