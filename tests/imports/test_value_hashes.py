"""The 64-bit hashes of text columns (imports/hashing.py) that import digests are built on: the same
value always gets the same hash, in any process and however the column is laid out, and values
that differ (even by NULs at their end) get different ones."""

import numpy as np
import pyarrow as pa

from imports.hashing import value_hashes

VALUES = ["SYR1", None, "", "abcdefgh", "abcdefghi", "إدلب"]


def hashes(values, value_type=None):
    return value_hashes(pa.array(values, value_type or pa.string())).tolist()


def test_the_hashes_are_fixed_by_their_definition():
    # Stored digests depend on these: if they change, so must imports.digests.DIGEST_VERSION.
    assert hashes(VALUES) == [
        7417645042756242147,
        0,
        1149234389432173950,
        7628386564916740479,
        8958800488600619898,
        18066252623110734503,
    ]


def test_a_value_hashes_alike_however_its_column_is_laid_out():
    whole = hashes(VALUES)
    assert hashes([value.encode() if value is not None else None for value in VALUES], pa.binary()) == whole
    assert value_hashes(pa.array(["x", *VALUES]).slice(1)).tolist() == whole
    assert value_hashes(pa.chunked_array([VALUES[:2], VALUES[2:]], pa.string())).tolist() == whole


def test_values_that_differ_by_nuls_or_order_hash_apart():
    values = [
        "",
        "a",
        "a\0",
        "a\0\0",
        "\0a",
        "abcdefgh",
        "abcdefgh\0",
        "12345678abcdefgh",
        "abcdefgh12345678",
    ]
    assert len(set(hashes(values))) == len(values)
    assert 0 not in hashes(values)  # 0 is a null's


def test_many_ids_hash_apart():
    ids = [f"{prefix}{n}" for prefix in ("SYR", "IRQ", "") for n in range(100_000)]
    assert len(np.unique(value_hashes(pa.array(ids)))) == len(ids)
