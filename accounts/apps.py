from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

# The sign-in apps we use that name themselves in English only (django-otp has no Arabic; django-axes
# translates its models but not its own name): their names as the admin shows them, translatable.
THIRD_PARTY_APP_NAMES = {
    "axes": _("Failed sign-ins"),
    "otp_totp": _("Authenticator apps"),
    "otp_static": _("Recovery codes"),
}
THIRD_PARTY_MODEL_NAMES = {
    ("otp_totp", "totpdevice"): (_("TOTP device"), _("TOTP devices")),
    ("otp_static", "staticdevice"): (_("static device"), _("static devices")),
    ("otp_static", "statictoken"): (_("static token"), _("static tokens")),
}


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Sign-in security")

    def ready(self) -> None:
        # Only the names shown change (not Meta as declared), so no migration follows.
        for label, name in THIRD_PARTY_APP_NAMES.items():
            apps.get_app_config(label).verbose_name = name
        for (label, model_name), (singular, plural) in THIRD_PARTY_MODEL_NAMES.items():
            meta = apps.get_model(label, model_name)._meta
            meta.verbose_name, meta.verbose_name_plural = singular, plural
