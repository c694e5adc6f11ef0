import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.choices import IncidentCategory, timezone_choices
from core.dates import EARLIEST_DAY, LATEST_DAY, validate_plausible_day, validate_plausible_time
from core.fields import BoundedTextField, ChoiceListField
from core.i18n import ARABIC_REGEX, has_arabic, localized, name_key

from .choices import AgreementStatus, ClauseKind, DeadlineStatus, PartyKind, PartyRole
from .geometry import bounding_box, normalize_geometry, parse_geometry


class Party(models.Model):
    name = models.CharField(max_length=200, unique=True, verbose_name=_("name"))
    name_ar = models.CharField(_("name in Arabic"), max_length=200, blank=True)
    short_name = models.CharField(max_length=50, blank=True, verbose_name=_("short name"))
    short_name_ar = models.CharField(_("short name in Arabic"), max_length=50, blank=True)
    kind = models.CharField(max_length=20, choices=PartyKind.choices, verbose_name=_("kind"))
    description = BoundedTextField(blank=True, max_length=10_000, verbose_name=_("description"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self, "name")

    @property
    def display_short_name(self) -> str:
        return localized(self, "short_name")

    @classmethod
    def match(cls, name):
        """The party called `name`, in English or Arabic, or known by it as an alias, else None.
        Case is ignored, and in Arabic so are diacritics, the article and the spelling variants
        of alef, ya and ta marbuta (core.i18n.name_key)."""
        name = (name or "").strip()
        if not name:
            return None
        if has_arabic(name):
            key = name_key(name)
            for party in cls.objects.exclude(name_ar=""):
                if name_key(party.name_ar) == key:
                    return party
            for alias in PartyAlias.objects.select_related("party").filter(name__regex=ARABIC_REGEX):
                if name_key(alias.name) == key:
                    return alias.party
            return None
        return (
            cls.objects.filter(name__iexact=name).first()
            or cls.objects.filter(aliases__name__iexact=name).first()
        )


class PartyAlias(models.Model):
    """Another name of a party, as written in external data (ACLED, UCDP, press)."""

    party = models.ForeignKey(
        Party, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("party")
    )
    name = models.CharField(
        max_length=200, help_text=_("Exactly as the source writes it."), verbose_name=_("name")
    )
    dataset = models.CharField(
        max_length=50, blank=True, help_text=_("e.g. acled, ucdp (optional)."), verbose_name=_("dataset")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("party alias")
        verbose_name_plural = _("party aliases")
        constraints = [models.UniqueConstraint(Lower("name"), name="unique_party_alias_name")]

    def __str__(self):
        return self.name


class Agreement(models.Model):
    title = models.CharField(max_length=300, verbose_name=_("title"))
    title_ar = models.CharField(_("title in Arabic"), max_length=300, blank=True)
    slug = models.SlugField(max_length=100, unique=True, verbose_name=_("slug"))
    signed_on = models.DateField(null=True, blank=True, verbose_name=_("signed on"))
    in_force_from = models.DateTimeField(null=True, blank=True, verbose_name=_("in force from"))
    in_force_until = models.DateTimeField(null=True, blank=True, verbose_name=_("in force until"))
    status = models.CharField(
        max_length=20,
        choices=AgreementStatus.choices,
        default=AgreementStatus.IN_FORCE,
        verbose_name=_("status"),
    )
    summary = BoundedTextField(blank=True, max_length=10_000, verbose_name=_("summary"))
    text = BoundedTextField(
        blank=True, max_length=500_000, help_text=_("Full text, if available."), verbose_name=_("text")
    )
    timezone = models.CharField(
        max_length=64,
        choices=timezone_choices,
        default="Asia/Damascus",
        help_text=_(
            "A deadline given as a bare date ends at midnight at the end of that day in this time zone."
        ),
        verbose_name=_("timezone"),
    )
    parties = models.ManyToManyField(
        Party, through="AgreementParty", related_name="agreements", blank=True, verbose_name=_("parties")
    )
    areas = models.ManyToManyField(
        "Area",
        related_name="agreements",
        blank=True,
        help_text=_("Where the agreement applies as a whole."),
        verbose_name=_("areas"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    history = HistoricalRecords(m2m_fields=[areas])

    class Meta:
        ordering = ["-signed_on", "title"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self, "title")

    def clean(self):
        if self.in_force_from and self.in_force_until and self.in_force_until < self.in_force_from:
            raise ValidationError({"in_force_until": _("The end of force must come after its start.")})
        if not self.slug and self.title:
            self.slug = slugify(self.title)[:100]

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.timezone)


class AgreementParty(models.Model):
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="party_roles", verbose_name=_("agreement")
    )
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="agreement_roles", verbose_name=_("party")
    )
    role = models.CharField(
        max_length=20, choices=PartyRole.choices, default=PartyRole.SIGNATORY, verbose_name=_("role")
    )

    class Meta:
        verbose_name = _("party to the agreement")
        verbose_name_plural = _("parties to the agreement")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "party", "role"], name="unique_agreement_party_role")
        ]

    def __str__(self):
        return f"{self.party} ({self.get_role_display()})"


class AgreementLink(models.Model):
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="links", verbose_name=_("agreement")
    )
    title = models.CharField(max_length=300, verbose_name=_("title"))
    url = models.URLField(max_length=1000, verbose_name=_("url"))

    class Meta:
        verbose_name = _("source link")
        verbose_name_plural = _("source links")

    def __str__(self):
        return self.title


class Area(models.Model):
    name = models.CharField(max_length=200, verbose_name=_("name"))
    name_ar = models.CharField(_("name in Arabic"), max_length=200, blank=True)
    slug = models.SlugField(max_length=100, unique=True, verbose_name=_("slug"))
    description = BoundedTextField(blank=True, max_length=10_000, verbose_name=_("description"))
    geometry = models.JSONField(
        help_text=_(
            "A GeoJSON geometry in [longitude, latitude] order: Polygon, MultiPolygon, "
            'LineString or Point, e.g. {"type": "Point", "coordinates": [36.8006, 35.8636]}.'
        ),
        verbose_name=_("geometry"),
    )
    buffer_km = models.DecimalField(
        _("buffer (km)"),
        max_digits=7,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_(
            "Widen the geometry by this many kilometres on each side (a road with a 6 km corridor: 6)."
        ),
    )
    # Bounding box of the buffered area, kept in sync on save: the engine pre-filters with it in SQL.
    min_lon = models.FloatField(editable=False, default=0, verbose_name=_("min lon"))
    min_lat = models.FloatField(editable=False, default=0, verbose_name=_("min lat"))
    max_lon = models.FloatField(editable=False, default=0, verbose_name=_("max lon"))
    max_lat = models.FloatField(editable=False, default=0, verbose_name=_("max lat"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return localized(self, "name")

    def clean(self):
        try:
            self.geometry = normalize_geometry(self.geometry)
        except ValidationError as exc:
            raise ValidationError({"geometry": exc.messages}) from exc
        if not self.buffer_km and self.geometry["type"] in (
            "Point",
            "MultiPoint",
            "LineString",
            "MultiLineString",
        ):
            raise ValidationError(
                {
                    "buffer_km": _(
                        "A point or a line has no surface: give a buffer in km so it can contain incidents."
                    )
                }
            )

    def save(self, *args, **kwargs):
        self.min_lon, self.min_lat, self.max_lon, self.max_lat = bounding_box(self.shape, self.buffer_km)
        super().save(*args, **kwargs)

    @property
    def shape(self):
        return parse_geometry(self.geometry)


class Clause(models.Model):
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="clauses", verbose_name=_("agreement")
    )
    number = models.CharField(
        max_length=20, help_text=_('As numbered in the text, e.g. "8" or "3.a".'), verbose_name=_("number")
    )
    title = models.CharField(max_length=300, verbose_name=_("title"))
    title_ar = models.CharField(_("title in Arabic"), max_length=300, blank=True)
    text = BoundedTextField(blank=True, max_length=50_000, verbose_name=_("text"))
    kind = models.CharField(
        max_length=30, choices=ClauseKind.choices, default=ClauseKind.OTHER, verbose_name=_("kind")
    )
    obligated_parties = models.ManyToManyField(
        Party,
        related_name="obligations",
        blank=True,
        help_text=_("Parties bound by this clause."),
        verbose_name=_("obligated parties"),
    )
    areas = models.ManyToManyField(
        Area,
        related_name="clauses",
        blank=True,
        help_text=_("Leave empty to use the agreement's areas."),
        verbose_name=_("areas"),
    )
    in_force_from = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Leave empty to use the agreement's. A clause may start at a deadline."),
        verbose_name=_("in force from"),
    )
    in_force_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Leave empty to use the agreement's."),
        verbose_name=_("in force until"),
    )
    prohibited_categories = ChoiceListField(
        choices_enum=IncidentCategory,
        help_text=_("Incidents of these categories breach the clause."),
        verbose_name=_("prohibited categories"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    history = HistoricalRecords(m2m_fields=[obligated_parties, areas])

    class Meta:
        ordering = ["agreement", "id"]
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="unique_clause_number")]

    def __str__(self):
        return f"{self.agreement.slug} §{self.number}: {self.display_name}"

    @property
    def display_name(self) -> str:
        return localized(self, "title")

    def clean(self):
        if self.in_force_from and self.in_force_until and self.in_force_until < self.in_force_from:
            raise ValidationError({"in_force_until": _("The end of force must come after its start.")})

    @property
    def effective_from(self):
        return self.in_force_from or self.agreement.in_force_from

    @property
    def effective_until(self):
        return self.in_force_until or self.agreement.in_force_until


class DeadlineQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=[DeadlineStatus.PENDING, DeadlineStatus.EXTENDED])


class Deadline(models.Model):
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("agreement")
    )
    clause = models.ForeignKey(
        Clause,
        on_delete=models.CASCADE,
        related_name="deadlines",
        null=True,
        blank=True,
        help_text=_("The clause that sets this deadline (a clause of the same agreement)."),
        verbose_name=_("clause"),
    )
    description = models.CharField(_("what is due"), max_length=500)
    description_ar = models.CharField(_("what is due, in Arabic"), max_length=500, blank=True)
    due_date = models.DateField(validators=[validate_plausible_day], verbose_name=_("due date"))
    due_time = models.TimeField(
        null=True,
        blank=True,
        help_text=_("Leave empty: the deadline ends at the end of the due day."),
        verbose_name=_("due time"),
    )
    extended_to = models.DateField(
        null=True,
        blank=True,
        validators=[validate_plausible_day],
        help_text=_("New due date, if the parties extended it."),
        verbose_name=_("extended to"),
    )
    status = models.CharField(
        max_length=20,
        choices=DeadlineStatus.choices,
        default=DeadlineStatus.PENDING,
        verbose_name=_("status"),
    )
    met_at = models.DateTimeField(
        null=True, blank=True, validators=[validate_plausible_time], verbose_name=_("met at")
    )
    evidence = BoundedTextField(
        max_length=10_000,
        blank=True,
        help_text=_("Why the deadline counts as met (or missed, or waived)."),
        verbose_name=_("evidence"),
    )
    missed_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("missed at"))
    # The moment the deadline falls due, derived on save: the deadline check queries this column.
    due_at = models.DateTimeField(editable=False, db_index=True, verbose_name=_("due at"))
    due_soon = models.BooleanField(default=False, editable=False, verbose_name=_("due soon"))
    history = HistoricalRecords()

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [models.Index(fields=["status", "due_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__gte=EARLIEST_DAY, due_date__lte=LATEST_DAY)
                & (
                    Q(extended_to__isnull=True)
                    | Q(extended_to__gte=EARLIEST_DAY, extended_to__lte=LATEST_DAY)
                ),
                name="deadline_dates_in_range",
                violation_error_message=_("Deadline dates lie between 1900 and 2199."),
            ),
        ]

    def __str__(self):
        return _("%(what)s (due %(date)s)") % {"what": self.display_name, "date": date_format(self.due_date)}

    @property
    def display_name(self) -> str:
        return localized(self, "description")

    def clean(self):
        errors = {}
        if self.clause_id and self.agreement_id and self.clause.agreement_id != self.agreement_id:
            errors["clause"] = _("This clause belongs to another agreement.")
        if self.status == DeadlineStatus.EXTENDED and not self.extended_to:
            errors["extended_to"] = _("An extended deadline needs the date it was extended to.")
        if self.extended_to and self.extended_to < self.due_date:
            errors["extended_to"] = _("The extension must come after the original due date.")
        if self.status == DeadlineStatus.MET and not self.met_at:
            errors["met_at"] = _("Say when the deadline was met.")
        if errors:
            raise ValidationError(errors)

    def compute_due_at(self):
        """End of the due (or extended) day in the agreement's time zone, or the given time."""
        tz = self.agreement.tz
        day = self.extended_to or self.due_date
        if self.due_time and not self.extended_to:
            return dt.datetime.combine(day, self.due_time, tzinfo=tz)
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)

    def save(self, *args, **kwargs):
        if self.clause_id and not self.agreement_id:
            self.agreement_id = self.clause.agreement_id
        self.due_at = self.compute_due_at()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "due_at"}
        super().save(*args, **kwargs)
