from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements.models import Clause, Party
from core.choices import IncidentCategory
from core.dates import EARLIEST, END_OF_RANGE, validate_incident_time, validate_window_end
from core.fields import BoundedTextField, ChoiceListField

from . import gazetteer
from .choices import (
    ActorCase,
    ActorDecisionKind,
    DatePrecision,
    IncidentStatus,
    LocationPrecision,
    SourceReliability,
    TargetType,
    Weapon,
)

# An incident's casualty counts: who was killed or injured, as the sources give them.
KILLED_FIELDS = ("killed_civilians", "killed_combatants", "killed_unknown")
INJURED_FIELDS = ("injured_civilians", "injured_combatants", "injured_unknown")
CASUALTY_FIELDS = KILLED_FIELDS + INJURED_FIELDS


class Incident(models.Model):
    occurred_at = models.DateTimeField(
        _("when"),
        db_index=True,
        validators=[validate_incident_time],
        help_text=_("Start of the incident (or of the window it happened in)."),
    )
    date_precision = models.CharField(
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        verbose_name=_("date precision"),
    )
    occurred_until = models.DateTimeField(
        _("until"),
        null=True,
        blank=True,
        validators=[validate_window_end],
        help_text=_("End of the window, when the exact time is not known."),
    )
    place_name = models.CharField(_("place"), max_length=200, blank=True)
    admin1 = models.CharField(_("governorate (admin1)"), max_length=100, blank=True)
    admin2 = models.CharField(_("district (admin2)"), max_length=100, blank=True)
    latitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        verbose_name=_("latitude"),
    )
    longitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        verbose_name=_("longitude"),
    )
    location_precision = models.CharField(
        max_length=12,
        choices=LocationPrecision.choices,
        default=LocationPrecision.EXACT,
        verbose_name=_("location precision"),
    )
    category = models.CharField(max_length=30, choices=IncidentCategory.choices, verbose_name=_("category"))
    perpetrator = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        help_text=_("Leave empty if unknown."),
        verbose_name=_("perpetrator"),
    )
    actor_name = models.CharField(
        _("actor as named"),
        max_length=200,
        blank=True,
        help_text=_("The perpetrator as the source names it (empty if the source does not say)."),
    )
    actor_case = models.CharField(
        max_length=12,
        choices=ActorCase.choices,
        default=ActorCase.UNIDENTIFIED,
        db_index=True,
        editable=False,
        help_text=_("A registered party, unidentified by the source, or named but not registered."),
        verbose_name=_("actor case"),
    )
    target_type = models.CharField(
        max_length=20, choices=TargetType.choices, blank=True, verbose_name=_("target type")
    )
    weapons = ChoiceListField(choices_enum=Weapon, verbose_name=_("weapons"))
    killed_civilians = models.PositiveIntegerField(default=0, verbose_name=_("killed civilians"))
    killed_combatants = models.PositiveIntegerField(default=0, verbose_name=_("killed combatants"))
    killed_unknown = models.PositiveIntegerField(default=0, verbose_name=_("killed unknown"))
    injured_civilians = models.PositiveIntegerField(default=0, verbose_name=_("injured civilians"))
    injured_combatants = models.PositiveIntegerField(default=0, verbose_name=_("injured combatants"))
    injured_unknown = models.PositiveIntegerField(default=0, verbose_name=_("injured unknown"))
    description = BoundedTextField(blank=True, max_length=20_000, verbose_name=_("description"))
    status = models.CharField(
        max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.DRAFT, verbose_name=_("status")
    )
    source_dataset = models.CharField(
        max_length=30,
        blank=True,
        help_text=_("Dataset this incident was imported from (acled, ucdp...)."),
        verbose_name=_("source dataset"),
    )
    external_id = models.CharField(
        max_length=100, blank=True, help_text=_("Its id in that dataset."), verbose_name=_("external id")
    )
    # The events app (above this one) groups reports of the same happening into events and
    # writes the event's id here; a plain column, not a foreign key, so that incidents need not
    # know the events app. Empty: no other report corroborates it, it is an event of its own.
    event = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        db_index=True,
        editable=False,
        help_text=_("The event this report is grouped into with other reports of the same happening."),
        verbose_name=_("event"),
    )
    clauses = models.ManyToManyField(
        Clause, through="ClauseLink", related_name="logged_incidents", blank=True, verbose_name=_("clauses")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, db_index=True, verbose_name=_("updated at"))
    # A hash of the row as the importer last wrote it (imports/digests.py), so that a re-import
    # recognises an unchanged row without reading it. On PostgreSQL, triggers (migration 0012)
    # clear it whenever anything else changes the imported columns or the sources; elsewhere
    # it stays empty and every row is compared.
    import_digest = models.BigIntegerField(null=True, editable=False)
    history = HistoricalRecords(excluded_fields=["import_digest"])

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        permissions = [("verify_incident", "Can verify, dispute or reject incidents")]
        constraints = [
            models.CheckConstraint(
                condition=Q(occurred_at__gte=EARLIEST, occurred_at__lt=END_OF_RANGE)
                & (
                    Q(occurred_until__isnull=True)
                    | Q(occurred_until__gte=EARLIEST, occurred_until__lt=END_OF_RANGE)
                ),
                name="incident_time_in_range",
                violation_error_message=_("Incident times lie between 1900 and 2199."),
            ),
            models.UniqueConstraint(
                fields=["source_dataset", "external_id"],
                condition=~Q(external_id=""),
                name="unique_incident_external_id",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="incident_lat_lon_together",
            ),
        ]
        indexes = [
            # Covers the common list filter (categories, a time range, a bounding box) without
            # reading the table: the page's ids come from the index alone. The id is part of the
            # key, not only included: for one category the index is then in the list's own order
            # (occurred_at, id), so a page reads its rows and stops, under any plan, the generic
            # plan of the prepared page query included (with id only included, that plan read
            # the whole time range and sorted it).
            models.Index(
                fields=["category", "occurred_at", "id"],
                include=["latitude", "longitude"],
                name="incident_category_time",
            )
        ]

    def __str__(self):
        return _("%(category)s at %(place)s, %(date)s") % {
            "category": self.get_category_display(),
            "place": self.display_place or _("unknown place"),
            "date": date_format(timezone.localtime(self.occurred_at)),
        }

    @property
    def display_place(self) -> str:
        """The place in the reader's language: in Arabic, the gazetteer's Arabic name of the place
        (or of its district or governorate) when it has one; else as recorded."""
        place = self.place_name or self.admin2 or self.admin1
        return gazetteer.display_name(place) if place else ""

    def clean(self):
        errors = {}
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = _(
                "Give both latitude and longitude, or neither."
            )
        if self.occurred_until and self.occurred_at and self.occurred_until < self.occurred_at:
            errors["occurred_until"] = _("The end of the window must come after its start.")
        if self.external_id and not self.source_dataset:
            errors["source_dataset"] = _("Say which dataset the external id comes from.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") is None:
            self.actor_case = self.classify_actor()
        super().save(*args, **kwargs)

    def classify_actor(self) -> str:
        """The actor case of a hand-entered incident: its party, else the name and any decision."""
        if self.perpetrator_id:
            return ActorCase.REGISTERED
        name = self.actor_name.strip()
        if not name:
            return ActorCase.UNIDENTIFIED
        decided = ActorDecision.objects.filter(name__iexact=name, kind=ActorDecisionKind.UNIDENTIFIED)
        return ActorCase.UNIDENTIFIED if decided.exists() else ActorCase.NAMED

    def touch(self, reason):
        """Save the incident after a change to a row that belongs to it (a clause link), as the
        admin's change form does: updated_at moves (clients syncing with `updated_since` see it),
        the history records `reason`, and post_save schedules the engine's re-evaluation."""
        self._change_reason = reason
        self.save(update_fields=["updated_at"])

    @property
    def killed(self):
        return sum(getattr(self, field) for field in KILLED_FIELDS)

    @property
    def injured(self):
        return sum(getattr(self, field) for field in INJURED_FIELDS)


class ActorDecision(models.Model):
    """An analyst's decision about an actor name that matched no party; imports apply it."""

    name = models.CharField(
        max_length=200, help_text=_("The actor as the sources name it."), verbose_name=_("name")
    )
    kind = models.CharField(max_length=12, choices=ActorDecisionKind.choices, verbose_name=_("kind"))
    party = models.ForeignKey(
        Party,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="actor_decisions",
        verbose_name=_("party"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(auto_now=True, verbose_name=_("decided at"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("actor decision")
        verbose_name_plural = _("actor decisions")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="unique_actor_decision_name"),
            models.CheckConstraint(
                condition=Q(kind=ActorDecisionKind.PARTY, party__isnull=False)
                | (~Q(kind=ActorDecisionKind.PARTY) & Q(party__isnull=True)),
                name="actor_decision_party_iff_mapped",
            ),
        ]

    def __str__(self):
        return f"{self.name}: {self.get_kind_display()}"


def may_see_confidential(user) -> bool:
    return user is not None and user.has_perm("incidents.view_confidential_source")


class SourceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Confidential sources only for users allowed to see them."""
        return self if may_see_confidential(user) else self.filter(confidential=False)

    def history_visible_to(self, user):
        """What `user` may see with its change history: without the permission, only sources
        that are not and never were confidential, since an earlier version would name the
        witness."""
        if may_see_confidential(user):
            return self
        return self.filter(confidential=False).exclude(id__in=ever_confidential_source_ids())


def ever_confidential_source_ids() -> models.QuerySet:
    """Ids of the sources some version of which was confidential (deleted ones included)."""
    return Source.history.filter(confidential=True).values("id")


def visible_sources(user) -> models.Prefetch:
    """The sources `user` may see, as `incident.visible_sources`: how the API loads an incident's
    sources (lists, details, and the answer to a write). PostgreSQL-built list pages apply the
    same `visible_to` rule in SQL (IncidentViewSet.sql_json_nested)."""
    return models.Prefetch("sources", queryset=Source.objects.visible_to(user), to_attr="visible_sources")


class Source(models.Model):
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="sources", verbose_name=_("incident")
    )
    name = models.CharField(
        max_length=300,
        help_text=_("Outlet, organisation or (if confidential) witness."),
        verbose_name=_("name"),
    )
    url = models.URLField(max_length=1000, blank=True, verbose_name=_("url"))
    published_on = models.DateField(null=True, blank=True, verbose_name=_("published on"))
    reliability = models.CharField(
        max_length=1,
        choices=SourceReliability.choices,
        default=SourceReliability.F,
        verbose_name=_("reliability"),
    )
    confidential = models.BooleanField(
        default=False,
        help_text=_("Confidential sources (e.g. a witness) are shown only to staff with the permission."),
        verbose_name=_("confidential"),
    )
    notes = BoundedTextField(blank=True, max_length=5_000, verbose_name=_("notes"))
    history = HistoricalRecords()

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["published_on", "id"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        permissions = [("view_confidential_source", "Can see confidential sources")]

    def __str__(self):
        return self.name


class ClauseLink(models.Model):
    """An incident logged against a clause by a person (the engine's findings live in tracker)."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="clause_links", verbose_name=_("incident")
    )
    clause = models.ForeignKey(
        Clause, on_delete=models.CASCADE, related_name="incident_links", verbose_name=_("clause")
    )
    note = BoundedTextField(blank=True, max_length=5_000, verbose_name=_("note"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("clause logged by staff")
        verbose_name_plural = _("clauses logged by staff")
        constraints = [models.UniqueConstraint(fields=["incident", "clause"], name="unique_clause_link")]

    def __str__(self):
        return f"{self.incident} → {self.clause}"
