"""Load the demo scenario (demo/scenario.py): the Idlib agreements, their areas and incidents.

Idempotent: every row is looked up by a natural key and saved only when a field differs, so a
second run writes nothing and adds no history. Rows are validated with full_clean(), like the
admin does. Workflow state is set only when a row is created and never reset afterwards:
deadline status (the engine decides met or missed) and incident status (analysts review).
"""

from collections import Counter, defaultdict

from django.core.management.base import BaseCommand
from django.db import transaction

from agreements.geometry import normalize_geometry
from agreements.models import (
    Agreement,
    AgreementLink,
    AgreementParty,
    Area,
    Clause,
    Deadline,
    Party,
    PartyAlias,
)
from demo import scenario as demo
from incidents.models import CASUALTY_FIELDS, Incident, Source
from tracker.services import check_deadlines

DEMO_DATASET = "demo"


class DemoLoader:
    def __init__(self):
        self.counts = defaultdict(Counter)

    def upsert(self, model, lookup, values, create_only=None):
        """Get the row matching `lookup`; create it, or update the fields of `values` that differ."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values, **(create_only or {}))
            self._save(obj, "created")
            return obj
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if not changed:
            self.counts[model.__name__]["unchanged"] += 1
            return obj
        for name in changed:
            setattr(obj, name, values[name])
        self._save(obj, "updated")
        return obj

    def _save(self, obj, outcome):
        # Non-editable fields (derived columns, timestamps) are not validated, as in a ModelForm.
        obj.full_clean(exclude=[f.name for f in obj._meta.fields if not f.editable])
        obj.save()
        self.counts[type(obj).__name__][outcome] += 1

    def sync_m2m(self, obj, field, targets):
        """Make the many-to-many `field` of `obj` exactly `targets`; touch nothing if it already is."""
        manager = getattr(obj, field)
        current = set(manager.values_list("pk", flat=True))
        if current != {t.pk for t in targets}:
            manager.set(targets)
            self.counts[f"{type(obj).__name__}.{field}"]["updated" if current else "created"] += 1

    # --- the scenario ---

    def load(self):
        parties = {p["name"]: self.load_party(p) for p in demo.PARTIES}
        areas = {a["slug"]: self.load_area(a) for a in demo.AREAS}
        for data in demo.AGREEMENTS:
            self.load_agreement(data, parties, areas)
        for data in demo.INCIDENTS:
            self.load_incident(data, parties)

    def load_party(self, data):
        party = self.upsert(
            Party,
            {"name": data["name"]},
            {
                "name_ar": data["name_ar"],
                "short_name": data["short_name"],
                "short_name_ar": data["short_name_ar"],
                "kind": data["kind"],
                "description": data["description"],
            },
        )
        for name, dataset in data["aliases"]:
            self.upsert(PartyAlias, {"name": name}, {"party": party, "dataset": dataset})
        return party

    def load_area(self, data):
        return self.upsert(
            Area,
            {"slug": data["slug"]},
            {
                "name": data["name"],
                "name_ar": data["name_ar"],
                "description": data["description"],
                "geometry": normalize_geometry(data["geometry"]),
                "buffer_km": data["buffer_km"],
            },
        )

    def load_agreement(self, data, parties, areas):
        fields = (
            "title",
            "title_ar",
            "signed_on",
            "in_force_from",
            "in_force_until",
            "status",
            "timezone",
            "summary",
        )
        agreement = self.upsert(Agreement, {"slug": data["slug"]}, {f: data[f] for f in fields})
        self.sync_m2m(agreement, "areas", [areas[slug] for slug in data["areas"]])
        for party, role in data["parties"]:
            self.upsert(AgreementParty, {"agreement": agreement, "party": parties[party], "role": role}, {})
        for title, url in data["links"]:
            self.upsert(AgreementLink, {"agreement": agreement, "url": url}, {"title": title})
        clauses = {}
        for clause in data["clauses"]:
            clauses[clause["number"]] = obj = self.upsert(
                Clause,
                {"agreement": agreement, "number": clause["number"]},
                {
                    f: clause[f]
                    for f in ("title", "title_ar", "text", "kind", "in_force_from", "prohibited_categories")
                },
            )
            self.sync_m2m(obj, "obligated_parties", [parties[name] for name in clause["obligated_parties"]])
            self.sync_m2m(obj, "areas", [areas[slug] for slug in clause["areas"]])
        for deadline in data["deadlines"]:
            self.upsert(
                Deadline,
                {"agreement": agreement, "description": deadline["description"]},
                {
                    "description_ar": deadline["description_ar"],
                    "clause": clauses[deadline["clause"]],
                    "due_date": deadline["due_date"],
                    "due_time": deadline.get("due_time"),
                },
                create_only={"status": "pending"},
            )
        return agreement

    def load_incident(self, data, parties):
        not_fields = ("external_id", "status", "sources", "perpetrator")
        values = {k: v for k, v in data.items() if k not in not_fields}
        values["perpetrator"] = parties[data["perpetrator"]] if data["perpetrator"] else None
        for count in CASUALTY_FIELDS:
            values.setdefault(count, 0)
        incident = self.upsert(
            Incident,
            {"source_dataset": DEMO_DATASET, "external_id": data["external_id"]},
            values,
            create_only={"status": data["status"]},
        )
        for item in data["sources"]:
            self.upsert(
                Source,
                {"incident": incident, "name": item["name"]},
                {k: v for k, v in item.items() if k != "name"},
            )
        return incident


class Command(BaseCommand):
    help = (
        "Load the demo scenario: the Astana (2017), Sochi (2018) and Moscow (2020) Idlib agreements, "
        "their parties, approximate areas, deadlines and a few incidents of April 2019. Safe to run again."
    )

    def handle(self, *args, **options):
        loader = DemoLoader()
        with transaction.atomic():
            loader.load()
        # The 2018 deadlines are long past: say so now, not at the scheduler's first check.
        missed = check_deadlines()["missed"]
        for model, counts in loader.counts.items():
            self.stdout.write(
                f"{model:28} created {counts['created']:3}  updated {counts['updated']:3}  "
                f"unchanged {counts['unchanged']:3}"
            )
        total = sum(c["created"] + c["updated"] for c in loader.counts.values())
        message = f"Demo loaded: {total} rows written." if total else "Demo up to date."
        self.stdout.write(self.style.SUCCESS(message))
        if missed:
            self.stdout.write(f"Deadlines missed: {len(missed)}.")
