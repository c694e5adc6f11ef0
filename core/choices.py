"""Vocabulary shared by several apps: what agreements forbid and what incidents record."""

import zoneinfo

from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentCategory(models.TextChoices):
    """What happened. imports.acled.ACLED_SUB_EVENT_TYPES says which ACLED sub-event types map here."""

    AIR_STRIKE = "air_strike", _("Air or drone strike")
    SHELLING = "shelling", _("Shelling, artillery or missile attack")
    ARMED_CLASH = "armed_clash", _("Armed clash")
    TERRITORY_CHANGE = "territory_change", _("Change of territorial control")
    EXPLOSIVE_DEVICE = "explosive_device", _("Explosive device (IED, mine, car bomb)")
    CHEMICAL_WEAPON = "chemical_weapon", _("Chemical weapon")
    ATTACK_ON_CIVILIANS = "attack_on_civilians", _("Attack on civilians")
    HEAVY_WEAPONS_PRESENCE = "heavy_weapons_presence", _("Heavy weapons present")
    ARMED_GROUP_PRESENCE = "armed_group_presence", _("Armed group present")
    PATROL = "patrol", _("Patrol conducted")
    PATROL_OBSTRUCTED = "patrol_obstructed", _("Patrol obstructed or attacked")
    ROUTE_CLOSED = "route_closed", _("Route closed")
    ROUTE_OPENED = "route_opened", _("Route opened")
    OTHER = "other", _("Other")


def timezone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone name. A callable, so that a tzdata update needs no migration."""
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]
