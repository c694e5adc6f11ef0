from django.db import models
from django.utils.translation import gettext_lazy as _


class DatePrecision(models.TextChoices):
    """How well the incident's time is known. `occurred_until` bounds the window when not exact."""

    EXACT = "exact", _("Exact time")
    DAY = "day", _("Day")
    DAYS = "days", _("Within a few days")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class LocationPrecision(models.TextChoices):
    """How well the place is known; the engine widens the point by UNCERTAINTY_KM."""

    EXACT = "exact", _("Exact location")
    NEAR = "near", _("Near a town (within about 25 km)")
    DISTRICT = "district", _("District (admin2)")
    GOVERNORATE = "governorate", _("Governorate (admin1)")
    COUNTRY = "country", _("Country only")


# Radius in km within which an incident located with this precision may actually have happened.
LOCATION_UNCERTAINTY_KM = {
    LocationPrecision.EXACT: 0.0,
    LocationPrecision.NEAR: 25.0,
    LocationPrecision.DISTRICT: 40.0,
    LocationPrecision.GOVERNORATE: 100.0,
    LocationPrecision.COUNTRY: 500.0,
}


class TargetType(models.TextChoices):
    NONE = "", _("Not recorded")
    MILITARY = "military", _("Military position or personnel")
    RESIDENTIAL = "residential", _("Residential area")
    MARKET = "market", _("Market")
    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Hospital or medical facility")
    MOSQUE = "mosque", _("Place of worship")
    COUNCIL_BUILDING = "council_building", _("Local council or civil administration building")
    CIVIL_DEFENCE = "civil_defence", _("Civil defence (White Helmets) centre")
    CAMP = "camp", _("Camp for displaced people")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure (water, power, bakery, road)")
    VEHICLE = "vehicle", _("Vehicle or convoy")
    OTHER = "other", _("Other civilian object")


class Weapon(models.TextChoices):
    CLUSTER_MUNITIONS = "cluster_munitions", _("Cluster munitions")
    BARREL_BOMB = "barrel_bomb", _("Barrel bomb")
    ARTILLERY = "artillery", _("Artillery")
    ROCKETS = "rockets", _("Rockets (MLRS)")
    MORTAR = "mortar", _("Mortar")
    MISSILE = "missile", _("Guided missile")
    AIRCRAFT_MUNITION = "aircraft_munition", _("Air-dropped munition")
    DRONE = "drone", _("Drone")
    SMALL_ARMS = "small_arms", _("Small arms")
    IED = "ied", _("Improvised explosive device")
    INCENDIARY = "incendiary", _("Incendiary weapon")
    CHEMICAL = "chemical", _("Chemical agent")
    OTHER = "other", _("Other")


class IncidentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    UNDER_REVIEW = "under_review", _("Under review")
    VERIFIED = "verified", _("Verified")
    DISPUTED = "disputed", _("Disputed")
    REJECTED = "rejected", _("Rejected")


# Statuses only those who may verify (incidents.verify_incident) set or leave, however they write.
REVIEWED_STATUSES = frozenset({IncidentStatus.VERIFIED, IncidentStatus.DISPUTED, IncidentStatus.REJECTED})


class SourceReliability(models.TextChoices):
    """The Admiralty (NATO) scale for the reliability of a source."""

    A = "A", _("A - Completely reliable")
    B = "B", _("B - Usually reliable")
    C = "C", _("C - Fairly reliable")
    D = "D", _("D - Not usually reliable")
    E = "E", _("E - Unreliable")
    F = "F", _("F - Reliability cannot be judged")


class ActorCase(models.TextChoices):
    """Who did it, as far as the source and the registry tell."""

    REGISTERED = "registered", _("Registered party")
    UNIDENTIFIED = "unidentified", _("Unidentified (the source does not know)")
    NAMED = "named", _("Named, not registered")


class ActorDecisionKind(models.TextChoices):
    """An analyst's decision about a named actor that matched no party."""

    PARTY = "party", _("Mapped to a party")
    UNIDENTIFIED = "unidentified", _("Unidentified")
    NOT_BOUND = "not_bound", _("Bound by no tracked agreement")
