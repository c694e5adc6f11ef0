"""64-bit hashes of text columns, computed a column at a time with numpy (no Python call a value).

    value_hashes(pa.array(["SYR1", None, ""]))  # -> uint64 array, 0 for the null

A value's hash is fixed by this definition alone (no seed drawn per process, nothing that depends
on the numpy or pyarrow version), because import digests built on it are stored
(Incident.import_digest, see digests.py):

- its bytes (UTF-8 for text) are padded with NULs to whole 8-byte words, each read little-endian;
- word k (from 0) is added to (k + 1) * STEP and mixed by MIX (MurmurHash3's 64-bit finaliser:
  a bijection, so two values differing in one word never get the same hash);
- the mixed words are summed, (length + 1) * LENGTH_STEP added (so that padding NULs and
  trailing NULs differ), and the sum mixed again. A null has length -1: its hash is 0.

Arithmetic is modulo 2**64. This is not a cryptographic hash: it tells a changed row from the
stored one by chance alone (about 1 in 2**64 per row), which is what a digest compared per id
needs; whoever writes the file decides what its rows say anyway.
"""

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pyarrow is optional (see blocks.available)
    import pyarrow as pa

STEP = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / the golden ratio, odd
LENGTH_STEP = np.uint64(0xC2B2AE3D27D4EB4F)  # an odd constant of xxHash64
_MIX_MULTIPLIERS = (np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))
_MIX_SHIFT = np.uint64(33)


def mix(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, applied in place to a uint64 array (returned)."""
    shifted = np.empty_like(values)
    for multiplier in _MIX_MULTIPLIERS:
        np.right_shift(values, _MIX_SHIFT, out=shifted)
        values ^= shifted
        values *= multiplier
    np.right_shift(values, _MIX_SHIFT, out=shifted)
    values ^= shifted
    return values


def value_hashes(array: "pa.Array | pa.ChunkedArray") -> np.ndarray:
    """The hash of each value of a pyarrow string or binary array (uint64; 0 for a null)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    array = array.cast(pa.binary())
    lengths = pc.binary_length(array)
    return padded_hashes(pc.binary_join_element_wise(array, padding(lengths), b""), lengths)


def padding(lengths: "pa.Array", value_type: "pa.DataType | None" = None) -> "pa.Array":
    """The NULs that pad values of these lengths (a pyarrow integer array) to whole 8-byte words,
    as a pyarrow array of `value_type` (binary by default, or string)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    nul = pa.scalar("\0" if value_type == pa.string() else b"\0", value_type or pa.binary())
    return pc.binary_repeat(nul, pc.bit_wise_and(pc.negate(lengths), 7))


def padded_hashes(padded: "pa.Array", lengths: "pa.Array | np.ndarray") -> np.ndarray:
    """value_hashes() of values given padded (each value followed by its padding(), a pyarrow
    array of 32-bit offsets whose values are all whole words) and their lengths before padding
    (a pyarrow or numpy integer array, null or -1 for a null)."""
    import pyarrow as pa

    if isinstance(lengths, pa.Array):
        lengths = lengths.fill_null(-1).to_numpy(zero_copy_only=False)
    count = len(padded)
    offsets = np.frombuffer(padded.buffers()[1], dtype=np.int32, count=count + 1, offset=4 * padded.offset)
    start = int(offsets[0])
    offsets = offsets.astype(np.int64) - start
    if np.any(offsets & 7):
        raise ValueError("values must be padded to whole 8-byte words")
    sums = np.zeros(count, dtype=np.uint64)
    total = int(offsets[-1]) >> 3
    if total:
        word_counts = np.diff(offsets) >> 3
        filled = np.flatnonzero(word_counts)
        starts = offsets[:-1][filled] >> 3
        # (k + 1) * STEP for word k of each value: STEP a word, stepping back at each value's start.
        words = np.full(total, STEP, dtype=np.uint64)
        words[starts[1:]] -= word_counts[filled[:-1]].astype(np.uint64) * STEP
        np.cumsum(words, out=words)
        words += np.frombuffer(padded.buffers()[2], dtype="<u8", count=total, offset=start)
        sums[filled] = np.add.reduceat(mix(words), starts)
    sums += (lengths.astype(np.int64) + 1).astype(np.uint64) * LENGTH_STEP
    return mix(sums)
