from django.db import models


class DatePrecision(models.TextChoices):
    """How well the incident's time is known. `occurred_until` bounds the window when not exact."""

    EXACT = "exact", "Exact time"
    DAY = "day", "Day"
    DAYS = "days", "Within a few days"
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class LocationPrecision(models.TextChoices):
    """How well the place is known; the engine widens the point by UNCERTAINTY_KM."""

    EXACT = "exact", "Exact location"
    NEAR = "near", "Near a town (within about 25 km)"
    DISTRICT = "district", "District (admin2)"
    GOVERNORATE = "governorate", "Governorate (admin1)"
    COUNTRY = "country", "Country only"


# Radius in km within which an incident located with this precision may actually have happened.
LOCATION_UNCERTAINTY_KM = {
    LocationPrecision.EXACT: 0.0,
    LocationPrecision.NEAR: 25.0,
    LocationPrecision.DISTRICT: 40.0,
    LocationPrecision.GOVERNORATE: 100.0,
    LocationPrecision.COUNTRY: 500.0,
}


class TargetType(models.TextChoices):
    NONE = "", "Not recorded"
    MILITARY = "military", "Military position or personnel"
    RESIDENTIAL = "residential", "Residential area"
    MARKET = "market", "Market"
    SCHOOL = "school", "School"
    HOSPITAL = "hospital", "Hospital or medical facility"
    MOSQUE = "mosque", "Place of worship"
    COUNCIL_BUILDING = "council_building", "Local council or civil administration building"
    CIVIL_DEFENCE = "civil_defence", "Civil defence (White Helmets) centre"
    CAMP = "camp", "Camp for displaced people"
    INFRASTRUCTURE = "infrastructure", "Infrastructure (water, power, bakery, road)"
    VEHICLE = "vehicle", "Vehicle or convoy"
    OTHER = "other", "Other civilian object"


class Weapon(models.TextChoices):
    CLUSTER_MUNITIONS = "cluster_munitions", "Cluster munitions"
    BARREL_BOMB = "barrel_bomb", "Barrel bomb"
    ARTILLERY = "artillery", "Artillery"
    ROCKETS = "rockets", "Rockets (MLRS)"
    MORTAR = "mortar", "Mortar"
    MISSILE = "missile", "Guided missile"
    AIRCRAFT_MUNITION = "aircraft_munition", "Air-dropped munition"
    DRONE = "drone", "Drone"
    SMALL_ARMS = "small_arms", "Small arms"
    IED = "ied", "Improvised explosive device"
    INCENDIARY = "incendiary", "Incendiary weapon"
    CHEMICAL = "chemical", "Chemical agent"
    OTHER = "other", "Other"


class IncidentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    UNDER_REVIEW = "under_review", "Under review"
    VERIFIED = "verified", "Verified"
    DISPUTED = "disputed", "Disputed"
    REJECTED = "rejected", "Rejected"


# Statuses only those who may verify (incidents.verify_incident) set or leave, however they write.
REVIEWED_STATUSES = frozenset({IncidentStatus.VERIFIED, IncidentStatus.DISPUTED, IncidentStatus.REJECTED})


class SourceReliability(models.TextChoices):
    """The Admiralty (NATO) scale for the reliability of a source."""

    A = "A", "A - Completely reliable"
    B = "B", "B - Usually reliable"
    C = "C", "C - Fairly reliable"
    D = "D", "D - Not usually reliable"
    E = "E", "E - Unreliable"
    F = "F", "F - Reliability cannot be judged"


class ActorCase(models.TextChoices):
    """Who did it, as far as the source and the registry tell."""

    REGISTERED = "registered", "Registered party"
    UNIDENTIFIED = "unidentified", "Unidentified (the source does not know)"
    NAMED = "named", "Named, not registered"


class ActorDecisionKind(models.TextChoices):
    """An analyst's decision about a named actor that matched no party."""

    PARTY = "party", "Mapped to a party"
    UNIDENTIFIED = "unidentified", "Unidentified"
    NOT_BOUND = "not_bound", "Bound by no tracked agreement"
