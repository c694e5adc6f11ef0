from django.conf import settings
from django.core.cache import caches
from django.db import models
from django.utils.translation import gettext_lazy as _


class Preference(models.Model):
    """What a user chose for themselves: the language of the admin, the dashboards, the API (when a
    request does not say) and the emails the tracker sends them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preference",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the pages, the API's messages and the emails sent to this user."),
    )

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")

    def __str__(self):
        return str(self.user)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget_cached_language(self.user_id)

    def delete(self, *args, **kwargs):
        forget_cached_language(self.user_id)
        return super().delete(*args, **kwargs)


def forget_cached_language(user_id: int) -> None:
    """accounts.language caches each user's choice for a few seconds: a change takes effect at once."""
    caches["local"].delete(f"tracker-language:{user_id}")
