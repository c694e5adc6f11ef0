from django.db import models


class PartyKind(models.TextChoices):
    STATE = "state", "State"
    ARMED_GROUP = "armed_group", "Armed group"
    COALITION = "coalition", "Coalition"
    GUARANTOR = "guarantor", "Guarantor"
    MEDIATOR = "mediator", "Mediator"
    MONITOR = "monitor", "Monitor"


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_FORCE = "in_force", "In force"
    SUSPENDED = "suspended", "Suspended"
    COLLAPSED = "collapsed", "Collapsed"
    EXPIRED = "expired", "Expired"
    SUPERSEDED = "superseded", "Superseded"


class PartyRole(models.TextChoices):
    SIGNATORY = "signatory", "Signatory"
    GUARANTOR = "guarantor", "Guarantor"
    MEDIATOR = "mediator", "Mediator"
    OBSERVER = "observer", "Observer"


class ClauseKind(models.TextChoices):
    CEASEFIRE = "ceasefire", "Ceasefire"
    DEMILITARIZED_ZONE = "demilitarized_zone", "Demilitarized zone"
    WEAPONS_WITHDRAWAL = "weapons_withdrawal", "Withdrawal of weapons"
    GROUPS_WITHDRAWAL = "groups_withdrawal", "Withdrawal of groups"
    PATROLS = "patrols", "Patrols"
    ROUTE_REOPENING = "route_reopening", "Route reopening"
    HUMANITARIAN_ACCESS = "humanitarian_access", "Humanitarian access"
    OTHER = "other", "Other"


class DeadlineStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    MET = "met", "Met"
    MISSED = "missed", "Missed"
    EXTENDED = "extended", "Extended"
    WAIVED = "waived", "Waived"
