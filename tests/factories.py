import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from agreements.choices import ClauseKind, PartyKind
from agreements.models import Agreement, Area, Clause, Deadline, Party, PartyAlias
from core.choices import IncidentCategory
from incidents.choices import IncidentStatus, LocationPrecision
from incidents.models import ClauseLink, Incident, Source

UTC = dt.UTC


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
        if create:
            self.save()


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Party {n}")
    kind = PartyKind.ARMED_GROUP


class PartyAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyAlias

    party = factory.SubFactory(PartyFactory)
    name = factory.Sequence(lambda n: f"Alias {n}")


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement
        django_get_or_create = ("slug",)

    title = factory.Sequence(lambda n: f"Memorandum {n}")
    slug = factory.Sequence(lambda n: f"memorandum-{n}")
    signed_on = dt.date(2018, 9, 17)
    in_force_from = dt.datetime(2018, 9, 17, tzinfo=UTC)


def square(lon, lat, half_side_deg=0.1):
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [lon - half_side_deg, lat - half_side_deg],
                [lon + half_side_deg, lat - half_side_deg],
                [lon + half_side_deg, lat + half_side_deg],
                [lon - half_side_deg, lat + half_side_deg],
                [lon - half_side_deg, lat - half_side_deg],
            ]
        ],
    }


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    name = factory.Sequence(lambda n: f"Area {n}")
    slug = factory.Sequence(lambda n: f"area-{n}")
    geometry = factory.LazyFunction(lambda: square(36.8, 35.86))
    buffer_km = 0


class ClauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clause
        skip_postgeneration_save = True

    agreement = factory.SubFactory(AgreementFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    title = "Ceasefire"
    kind = ClauseKind.CEASEFIRE
    prohibited_categories = factory.LazyFunction(
        lambda: [IncidentCategory.AIR_STRIKE, IncidentCategory.SHELLING]
    )

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)

    @factory.post_generation
    def obligated_parties(self, create, extracted, **kwargs):
        if create and extracted:
            self.obligated_parties.set(extracted)


class DeadlineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deadline

    clause = factory.SubFactory(ClauseFactory)
    agreement = factory.SelfAttribute("clause.agreement")
    description = "Heavy weapons withdrawn from the zone"
    due_date = dt.date(2018, 10, 10)


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    occurred_at = dt.datetime(2019, 4, 2, 9, 0, tzinfo=UTC)
    place_name = "Saraqib"
    admin1 = "Idlib"
    latitude = 35.8636
    longitude = 36.8006
    location_precision = LocationPrecision.EXACT
    category = IncidentCategory.SHELLING
    perpetrator = factory.SubFactory(PartyFactory)
    status = IncidentStatus.VERIFIED


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    incident = factory.SubFactory(IncidentFactory)
    name = factory.Sequence(lambda n: f"Outlet {n}")
    url = "https://example.org/report"
    published_on = dt.date(2019, 4, 3)


class ClauseLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClauseLink

    incident = factory.SubFactory(IncidentFactory)
    clause = factory.SubFactory(ClauseFactory)
    note = "Logged by a monitor"


class ViolationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tracker.Violation"
        # In transactional tests the engine may have flagged the pair already, after commit.
        django_get_or_create = ("incident", "clause")

    incident = factory.SubFactory(IncidentFactory)
    clause = factory.SubFactory(ClauseFactory)
    confidence = "high"
    status = "flagged"
    flagged_at = factory.LazyAttribute(lambda v: v.incident.occurred_at + dt.timedelta(hours=1))


class ReportSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reports.ReportSubscription"

    name = factory.Sequence(lambda n: f"Weekly report {n}")
    agreement = factory.SubFactory(AgreementFactory)
    frequency = "weekly"
    recipients = "monitor@example.org\nanalyst@example.org"
    formats = factory.LazyFunction(lambda: ["csv", "json"])
    # Due since the end of the fixture week (Monday 8 April 2019, Damascus time).
    next_due_at = dt.datetime(2019, 4, 7, 21, 0, tzinfo=UTC)


class AuthenticatorAppFactory(factory.django.DjangoModelFactory):
    """A confirmed TOTP device (an authenticator app) of a user; `current_code(device)` is its code."""

    class Meta:
        model = "otp_totp.TOTPDevice"

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    confirmed = True


def current_code(device) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
