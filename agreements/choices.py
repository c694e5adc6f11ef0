from django.db import models
from django.utils.translation import gettext_lazy as _


class PartyKind(models.TextChoices):
    STATE = "state", _("State")
    ARMED_GROUP = "armed_group", _("Armed group")
    COALITION = "coalition", _("Coalition")
    GUARANTOR = "guarantor", _("Guarantor")
    MEDIATOR = "mediator", _("Mediator")
    MONITOR = "monitor", _("Monitor")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_FORCE = "in_force", _("In force")
    SUSPENDED = "suspended", _("Suspended")
    COLLAPSED = "collapsed", _("Collapsed")
    EXPIRED = "expired", _("Expired")
    SUPERSEDED = "superseded", _("Superseded")


class PartyRole(models.TextChoices):
    SIGNATORY = "signatory", _("Signatory")
    GUARANTOR = "guarantor", _("Guarantor")
    MEDIATOR = "mediator", _("Mediator")
    OBSERVER = "observer", _("Observer")


class ClauseKind(models.TextChoices):
    CEASEFIRE = "ceasefire", _("Ceasefire")
    DEMILITARIZED_ZONE = "demilitarized_zone", _("Demilitarized zone")
    WEAPONS_WITHDRAWAL = "weapons_withdrawal", _("Withdrawal of weapons")
    GROUPS_WITHDRAWAL = "groups_withdrawal", _("Withdrawal of groups")
    PATROLS = "patrols", _("Patrols")
    ROUTE_REOPENING = "route_reopening", _("Route reopening")
    HUMANITARIAN_ACCESS = "humanitarian_access", _("Humanitarian access")
    OTHER = "other", _("Other")


class DeadlineStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")
    EXTENDED = "extended", _("Extended")
    WAIVED = "waived", _("Waived")
