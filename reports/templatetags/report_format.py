"""Filters that write a report's ISO dates and numbers for the reader (reports/formatting.py)."""

from django import template

from .. import formatting

register = template.Library()


@register.filter
def report_day(value: str | None) -> str:
    return formatting.day(value)


@register.filter
def report_moment(value: str | None) -> str:
    """An ISO date and time as written (already in the report's time zone), to the minute."""
    return formatting.moment(value[:16] if value else value)


@register.filter
def report_number(value: int | float | None) -> str:
    return formatting.number(value)


@register.filter
def report_signed(value: int | float) -> str:
    return formatting.signed(value)


@register.filter
def lookup(mapping: dict, key: str):
    return mapping.get(key, key)
