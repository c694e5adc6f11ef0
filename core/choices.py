"""Vocabulary shared by several apps: what agreements forbid and what incidents record."""

import zoneinfo

from django.db import models


class IncidentCategory(models.TextChoices):
    """What happened. imports.acled.ACLED_SUB_EVENT_TYPES says which ACLED sub-event types map here."""

    AIR_STRIKE = "air_strike", "Air or drone strike"
    SHELLING = "shelling", "Shelling, artillery or missile attack"
    ARMED_CLASH = "armed_clash", "Armed clash"
    TERRITORY_CHANGE = "territory_change", "Change of territorial control"
    EXPLOSIVE_DEVICE = "explosive_device", "Explosive device (IED, mine, car bomb)"
    CHEMICAL_WEAPON = "chemical_weapon", "Chemical weapon"
    ATTACK_ON_CIVILIANS = "attack_on_civilians", "Attack on civilians"
    HEAVY_WEAPONS_PRESENCE = "heavy_weapons_presence", "Heavy weapons present"
    ARMED_GROUP_PRESENCE = "armed_group_presence", "Armed group present"
    PATROL = "patrol", "Patrol conducted"
    PATROL_OBSTRUCTED = "patrol_obstructed", "Patrol obstructed or attacked"
    ROUTE_CLOSED = "route_closed", "Route closed"
    ROUTE_OPENED = "route_opened", "Route opened"
    OTHER = "other", "Other"


def timezone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone name. A callable, so that a tzdata update needs no migration."""
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]
