"""Scheduled violation reports: periods, building from aggregates, rendering, charts, delivery.

Kept light on import: tracker.models imports `reports.models` to register the models.
"""
