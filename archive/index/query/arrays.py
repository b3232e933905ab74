"""The array types the query modules pass around: one slot per document number of a searcher."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

Mask = np.ndarray[Any, np.dtype[np.bool_]]
Floats = np.ndarray[Any, np.dtype[np.float64]]
Ints = np.ndarray[Any, np.dtype[np.int64]]


class Matches(NamedTuple):
    """Which documents match (by global document number) and their scores (0.0 where they do not, so
    that a union adds scores without masking them)."""

    mask: Mask
    scores: Floats
