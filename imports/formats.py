"""The file formats an import reads: ACLED, UCDP GED and our own CSV, by their short name."""

from .acled import AcledReader
from .tracker_csv import TrackerReader
from .ucdp import UcdpReader

READERS = {reader.format: reader for reader in (AcledReader, UcdpReader, TrackerReader)}
FORMATS = tuple(READERS)
