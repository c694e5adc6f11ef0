"""Sign-in forms: the admin's login with a two-factor code, the code that confirms an enrolment."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import two_factor

CODE_WIDGET = forms.TextInput(
    attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "none", "size": 12}
)
WRONG_CODE = _(
    "That code is not right. Type the 6-digit code your authenticator app shows now "
    "(it changes every 30 seconds), or one of your unused recovery codes."
)


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's login: username, password and, for those who use two-factor sign-in, a code."""

    otp_token = forms.CharField(
        label=_("Two-factor code"),
        required=False,
        max_length=64,
        widget=CODE_WIDGET,
        help_text=_("Only if you have set up two-factor sign-in: the code from your authenticator app."),
    )

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and two_factor.is_enrolled(user):
            device = two_factor.match_code(user, cleaned.get("otp_token"))
            if device is None:
                # A wrong code counts as a failed sign-in (django-axes), as a wrong password does.
                user_login_failed.send(
                    sender=__name__, credentials={"username": user.get_username()}, request=self.request
                )
                raise ValidationError(WRONG_CODE, code="otp")
            user.otp_device = device  # django-otp marks the session verified when it logs in
        return cleaned


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=64, widget=CODE_WIDGET)
