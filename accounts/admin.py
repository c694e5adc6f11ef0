"""The admin's login asks a two-factor code of those who use it (accounts.forms.AdminLoginForm); a
user's page shows their language preference."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .forms import AdminLoginForm
from .models import Preference

User = get_user_model()

admin.site.login_form = AdminLoginForm
admin.site.login_template = "accounts/admin_login.html"


class PreferenceInline(admin.StackedInline):
    """The user's language, beside their account (they also set it with the switcher in the header)."""

    model = Preference
    can_delete = False
    extra = 1
    max_num = 1


class UserWithPreferenceAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, PreferenceInline]


admin.site.unregister(User)
admin.site.register(User, UserWithPreferenceAdmin)
