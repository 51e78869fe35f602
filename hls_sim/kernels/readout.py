"""Weekly read-outs over the whole population that numpy would do with a temporary array."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def count_values(codes, n_codes):
    """How many entries take each code 0..n_codes-1 (np.bincount without the int64 copy of the input)."""
    out = np.zeros(n_codes, np.int64)
    for i in range(codes.shape[0]):
        out[codes[i]] += 1
    return out
