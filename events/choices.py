from django.db import models
from django.utils.translation import gettext_lazy as _


class PairState(models.TextChoices):
    """Where a candidate pair stands: the job's call, or an analyst's (which the job never changes)."""

    AUTO = "auto", _("Grouped automatically")
    PENDING = "pending", _("Waiting for an analyst")
    MERGED = "merged", _("Merged by an analyst")
    SPLIT = "split", _("Split by an analyst")


# The job decides these; an analyst's decisions stay as they are.
JOB_STATES = (PairState.AUTO, PairState.PENDING)
# Pairs that put their two reports in one event.
LINKING_STATES = (PairState.AUTO, PairState.MERGED)


class DecisionKind(models.TextChoices):
    MERGE = "merge", _("Merge")
    SPLIT = "split", _("Split")
