"""Vectors as the database keeps them: each component a signed byte, scaled by the vector's largest one.

A unit vector of 384 components in 388 bytes (float32: 1,536); its cosine with another differs from the
exact one by about 0.002, far below the gaps that order the neighbours of a query (checked in
``tests/test_semantic.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from archive.semantic.embedder import Vectors

_SCALE = np.dtype("<f4")


def pack_vector(vector: Vectors) -> bytes:
    """One vector as bytes: its scale (little-endian float32), then one signed byte per component.

    >>> v = np.array([0.6, -0.8], dtype=np.float32)
    >>> len(pack_vector(v)), [round(float(x), 3) for x in unpack_vectors([pack_vector(v)], 2)[0]]
    (6, [0.598, -0.8])
    """
    largest = float(np.abs(vector).max()) if vector.size else 0.0
    scale = largest / 127 if largest > 0 else 1.0
    quantised = np.clip(np.rint(vector / scale), -127, 127).astype(np.int8)
    return bytes(np.array([scale], dtype=_SCALE).tobytes()) + bytes(quantised.tobytes())


def unpack_vectors(blobs: Sequence[bytes], dimension: int) -> Vectors:
    """Packed vectors as the rows of one float32 matrix (what a search multiplies by)."""
    width = _SCALE.itemsize + dimension
    if not blobs:
        return np.zeros((0, dimension), dtype=np.float32)
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(len(blobs), width)
    scales = raw[:, : _SCALE.itemsize].copy().view(_SCALE).astype(np.float32)
    values = raw[:, _SCALE.itemsize :].view(np.int8).astype(np.float32)
    values *= scales
    return values
