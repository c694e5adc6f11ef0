import datetime as dt

import pytest

from alerts.models import AlertRule
from tests.alerts.receiver import Receiver
from tests.api.conftest import _fresh_throttles, client, user_with_perms  # noqa: F401 (the API tests' fixtures)
from tests.factories import AreaFactory, ClauseFactory, PartyFactory, square

UTC = dt.UTC


@pytest.fixture
def webhooks_to_loopback(settings):
    """Tests' receivers listen on 127.0.0.1: allowed explicitly, as an administrator would."""
    settings.ALERTS_WEBHOOK_ALLOWED_URLS = ["http://127.0.0.1:"]
    settings.ALERTS_WEBHOOK_ALLOWED_ADDRESSES = ["127.0.0.1"]
    settings.ALERTS_WEBHOOK_READ_TIMEOUT = 0.5
    settings.ALERTS_WEBHOOK_CONNECT_TIMEOUT = 0.5
    return settings


@pytest.fixture
def receiver(webhooks_to_loopback):
    with Receiver() as running:
        yield running


@pytest.fixture
def government(db):
    from agreements.models import PartyAlias

    party = PartyFactory(name="Syrian government")
    # ACLED's name for it, so that imported rows are the registered party's (issue 11: a named
    # actor that is no registered party is never counted).
    PartyAlias.objects.create(party=party, name="Military Forces of Syria (2000-)", dataset="acled")
    return party


@pytest.fixture
def ceasefire(government):
    zone = AreaFactory(name="Zone", geometry=square(36.8, 35.86, 0.1))
    return ClauseFactory(
        areas=[zone],
        prohibited_categories=["shelling", "air_strike"],
        agreement__in_force_from=dt.datetime(2018, 9, 17, tzinfo=UTC),
    )


def make_rule(owner, *, url=None, events=("violation_flagged",), **fields):
    """An active rule; a webhook to `url` if given, else email."""
    channel = {"channel": "webhook", "webhook_url": url} if url else {"channel": "email"}
    recipients = fields.pop("recipients", ())
    rule = AlertRule.objects.create(
        name=fields.pop("name", "Rule"), owner=owner, events=list(events), **channel, **fields
    )
    rule.recipients.set(recipients)
    return rule
