"""Incident importers: ACLED, UCDP GED and our own CSV. `run_import` is the entry point."""
from .acled import AcledReader
from .base import ImportFileError, RowError
from .service import ImportResult, run_import
from .tracker_csv import TRACKER_COLUMNS, TrackerReader
from .ucdp import UcdpReader

READERS = {reader.format: reader for reader in (AcledReader, UcdpReader, TrackerReader)}
FORMATS = tuple(READERS)

__all__ = [
    "FORMATS", "READERS", "TRACKER_COLUMNS", "ImportFileError", "ImportResult", "RowError", "run_import",
]
