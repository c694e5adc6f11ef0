from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from agreements.models import Party
from core.choices import IncidentCategory
from core.fields import BoundedTextField
from incidents.models import Incident

from .choices import DecisionKind, PairState


class Event(models.Model):
    """One happening, as several reports (incidents) give it.

    Its members are the incidents whose `event` column holds its id (incidents.Incident.event:
    one event per incident). An incident no other report corroborates has no Event row: it is
    an event of its own. The fields below are its lead's (the most precise report), and the
    casualty figures follow events.rules.casualty_summary (the median of the reports, with their
    range), never the sum of the reports.
    """

    anchor = models.OneToOneField(
        Incident,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The member with the lowest id: what keeps the event the same across regroupings."),
    )
    lead = models.ForeignKey(
        Incident,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text=_("The most precise report of the event."),
    )
    reports = models.PositiveIntegerField(_("reports"), default=0)
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    occurred_until = models.DateTimeField(_("until"), null=True, blank=True)
    category = models.CharField(_("category"), max_length=30, choices=IncidentCategory.choices)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    perpetrator = models.ForeignKey(
        Party,
        verbose_name=_("perpetrator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    datasets = models.JSONField(
        _("sources"), default=list, blank=True, help_text=_("The datasets and monitors that report it.")
    )
    killed = models.PositiveIntegerField(_("killed (best estimate)"), default=0)
    killed_min = models.PositiveIntegerField(_("killed (lowest report)"), default=0)
    killed_max = models.PositiveIntegerField(_("killed (highest report)"), default=0)
    injured = models.PositiveIntegerField(_("injured (best estimate)"), default=0)
    injured_min = models.PositiveIntegerField(_("injured (lowest report)"), default=0)
    injured_max = models.PositiveIntegerField(_("injured (highest report)"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-occurred_at", "-id"]
        permissions = [("group_event", _("Can merge and split events"))]

    def __str__(self):
        return _("Event %(id)s (%(reports)s reports)") % {"id": self.id, "reports": self.reports}


class CandidatePair(models.Model):
    """Two reports that may be the same happening: the evidence, its score, and the decision."""

    first = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+", db_index=False)
    second = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=PairState.choices, db_index=True)
    score = models.FloatField(_("score"), default=0.0)
    distance_km = models.FloatField(_("distance (km)"), null=True, blank=True)
    limit_km = models.FloatField(_("combined uncertainty (km)"), null=True, blank=True)
    gap_hours = models.FloatField(_("time between windows (hours)"), null=True, blank=True)
    same_category = models.BooleanField(_("same category"), default=False)
    same_perpetrator = models.BooleanField(_("same perpetrator"), default=False)
    ambiguous = models.BooleanField(
        _("ambiguous"), default=False, help_text=_("Another report of the same source matches as well.")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("candidate pair")
        verbose_name_plural = _("candidate pairs")
        ordering = ["-score", "first_id", "second_id"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="unique_candidate_pair"),
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="candidate_pair_ordered"),
        ]

    def __str__(self):
        return f"{self.first_id} ~ {self.second_id} ({self.score:.2f}, {self.state})"

    @property
    def reasons(self) -> list[str]:
        """The evidence in words (a pair an analyst created by hand has none)."""
        if self.distance_km is None:
            return []
        reasons = [
            _("same category") if self.same_category else _("compatible categories"),
            _("time windows overlap")
            if not self.gap_hours
            else _("time windows %(hours)s hours apart") % {"hours": self.gap_hours},
            _("%(distance)s km apart, within %(limit)s km")
            % {"distance": self.distance_km, "limit": self.limit_km},
            _("same perpetrator")
            if self.same_perpetrator
            else _("perpetrator unknown in at least one report"),
            _("different sources"),
        ]
        if self.ambiguous:
            reasons.append(_("another report of the same source matches as well"))
        return [str(reason) for reason in reasons]


class EventDecision(models.Model):
    """An analyst's merge or split: who, when, which reports, and why."""

    kind = models.CharField(_("kind"), max_length=10, choices=DecisionKind.choices)
    event_id_at_decision = models.PositiveBigIntegerField(_("event"), null=True, blank=True)
    incidents = models.JSONField(_("reports"), default=list)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), db_index=True)
    note = BoundedTextField(_("note"), blank=True, max_length=5_000)

    class Meta:
        verbose_name = _("merge or split")
        verbose_name_plural = _("merges and splits")
        ordering = ["-decided_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.incidents}"


class GroupingLock(models.Model):
    """One row every grouping write locks first. An incremental run and an analyst's decision
    lock it alone (FOR UPDATE): on PostgreSQL several workers then write one after the other;
    SQLite has one writer anyway. The chunks of one full regrouping share it (FOR SHARE) and
    write side by side, each its own rows, while `full_run` is still theirs: a regrouping
    begun later takes the number over, and the earlier one's chunks still to come do nothing."""

    last_full_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    full_run = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("grouping lock")

    def __str__(self):
        return f"grouping lock (last full regrouping {self.last_full_at})"


class GroupingStep(models.Model):
    """A step of a full regrouping on the workers (events.tasks.group_all) that has committed: a
    chunk's pairs, a part of the events, or the sending of the next step. Written in the step's
    own transaction, so a step redelivered after a killed worker is counted once; the last step
    of a kind to commit sends the next."""

    run = models.PositiveBigIntegerField()
    step = models.CharField(max_length=30)

    class Meta:
        verbose_name = _("grouping step")
        constraints = [models.UniqueConstraint(fields=["run", "step"], name="unique_grouping_step")]

    def __str__(self):
        return f"regrouping {self.run}: {self.step}"
