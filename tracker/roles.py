"""The four roles, as Django groups. Each role has the permissions of the one before it."""

VIEWER = "Viewer"
REPORTER = "Reporter"
ANALYST = "Analyst"
COORDINATOR = "Coordinator"

_READ_MODELS = {
    "agreements": ["party", "partyalias", "agreement", "agreementparty", "agreementlink", "area", "clause", "deadline"],
    "incidents": ["incident", "source", "clauselink"],
    "tracker": ["violation", "jobrun", "reportsubscription", "report", "reportdelivery"],
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
    "incidents.add_importjob",
    "incidents.view_importjob",
}
ROLE_PERMISSIONS[ANALYST] = ROLE_PERMISSIONS[REPORTER] | {
    "incidents.verify_incident",
    "incidents.delete_incident",
    "incidents.view_confidential_source",
    "tracker.change_violation",
    "tracker.review_violation",
}
ROLE_PERMISSIONS[COORDINATOR] = ROLE_PERMISSIONS[ANALYST] | _manage(
    "agreements",
    ["party", "partyalias", "agreement", "agreementparty", "agreementlink", "area", "clause", "deadline"],
) | _manage("tracker", ["reportsubscription"])


def sync_roles(apps, schema_editor=None):
    """Create the groups and give them exactly their permissions. Safe to run again."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for code in sorted(codes):
            app_label, codename = code.split(".")
            try:
                wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
            except Permission.DoesNotExist:
                # A model added by a later migration (e.g. tracker.Report): that migration syncs again.
                if not _created_later(apps, app_label, codename):
                    raise
        group.permissions.set(wanted)


def _created_later(apps, app_label, codename):
    """True if `codename` is a default permission of a model this migration state lacks yet."""
    known = {model._meta.model_name for model in apps.get_app_config(app_label).get_models()}
    action, _, model_name = codename.partition("_")
    return action in ("add", "change", "delete", "view") and model_name not in known
