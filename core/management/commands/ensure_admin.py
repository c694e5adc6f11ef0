import secrets

import environ
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Create the admin account if it does not exist, from DJANGO_ADMIN_USER / DJANGO_ADMIN_PASSWORD / "
        "DJANGO_ADMIN_EMAIL, or with a generated password kept in var/admin-password.txt, and print it."
    )

    def handle(self, *args, **options):
        env = environ.Env()
        username = env.str("DJANGO_ADMIN_USER", default="admin")
        email = env.str("DJANGO_ADMIN_EMAIL", default="admin@localhost")
        password_file = settings.VAR_DIR / "admin-password.txt"
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            password = env.str("DJANGO_ADMIN_PASSWORD", default="") or secrets.token_urlsafe(12)
            try:
                # The same rules as any password set in the admin (AUTH_PASSWORD_VALIDATORS).
                validate_password(password, User(username=username, email=email))
            except ValidationError as exc:
                raise CommandError(f"DJANGO_ADMIN_PASSWORD is too weak: {' '.join(exc.messages)}") from exc
            User.objects.create_superuser(username=username, email=email, password=password)
            if not env.str("DJANGO_ADMIN_PASSWORD", default=""):
                password_file.write_text(password + "\n")
                password_file.chmod(0o600)
            state = "created"
        else:
            if env.str("DJANGO_ADMIN_PASSWORD", default=""):
                password = env.str("DJANGO_ADMIN_PASSWORD")
            elif password_file.exists():
                password = password_file.read_text().strip()
            else:
                password = f"(unchanged; reset it with: python manage.py changepassword {username})"
            state = "exists"
        self.stdout.write(
            self.style.SUCCESS(f"Admin account ({state}): user {username!r}, password {password}")
        )
