"""The admin's login asks a two-factor code of those who use it (accounts.forms.AdminLoginForm)."""

from django.contrib import admin

from .forms import AdminLoginForm

admin.site.login_form = AdminLoginForm
admin.site.login_template = "accounts/admin_login.html"
