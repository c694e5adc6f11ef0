from django.db import models


class IncidentCategory(models.TextChoices):
    """What happened. ACLED_SUB_EVENT_TYPES below says which ACLED sub-event types map here."""

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


# ACLED sub_event_type -> our category. Sub-event types that are not violence (protests,
# agreements, arrests...) map to "other"; the importer keeps ACLED's own label in the notes.
ACLED_SUB_EVENT_TYPES = {
    "Air/drone strike": IncidentCategory.AIR_STRIKE,
    "Shelling/artillery/missile attack": IncidentCategory.SHELLING,
    "Armed clash": IncidentCategory.ARMED_CLASH,
    "Government regains territory": IncidentCategory.TERRITORY_CHANGE,
    "Non-state actor overtakes territory": IncidentCategory.TERRITORY_CHANGE,
    "Non-violent transfer of territory": IncidentCategory.TERRITORY_CHANGE,
    "Remote explosive/landmine/IED": IncidentCategory.EXPLOSIVE_DEVICE,
    "Suicide bomb": IncidentCategory.EXPLOSIVE_DEVICE,
    "Grenade": IncidentCategory.EXPLOSIVE_DEVICE,
    "Chemical weapon": IncidentCategory.CHEMICAL_WEAPON,
    "Attack": IncidentCategory.ATTACK_ON_CIVILIANS,
    "Abduction/forced disappearance": IncidentCategory.ATTACK_ON_CIVILIANS,
    "Sexual violence": IncidentCategory.ATTACK_ON_CIVILIANS,
    "Headquarters or base established": IncidentCategory.ARMED_GROUP_PRESENCE,
    "Disrupted weapons use": IncidentCategory.HEAVY_WEAPONS_PRESENCE,
    "Looting/property destruction": IncidentCategory.ATTACK_ON_CIVILIANS,
    "Agreement": IncidentCategory.OTHER,
    "Arrests": IncidentCategory.OTHER,
    "Change to group/activity": IncidentCategory.OTHER,
    "Other": IncidentCategory.OTHER,
    "Peaceful protest": IncidentCategory.OTHER,
    "Protest with intervention": IncidentCategory.OTHER,
    "Excessive force against protesters": IncidentCategory.ATTACK_ON_CIVILIANS,
    "Violent demonstration": IncidentCategory.OTHER,
    "Mob violence": IncidentCategory.OTHER,
}


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


class SourceReliability(models.TextChoices):
    """The Admiralty (NATO) scale for the reliability of a source."""

    A = "A", "A - Completely reliable"
    B = "B", "B - Usually reliable"
    C = "C", "C - Fairly reliable"
    D = "D", "D - Not usually reliable"
    E = "E", "E - Unreliable"
    F = "F", "F - Reliability cannot be judged"
