"""numba kernels of the weekly step, one module per concept; the order lives in `hls_sim.model`.

Every kernel is `@njit(cache=True, nogil=True)`, serial and reads its random numbers from arrays
drawn in Python beforehand, so a plain-Python implementation of the same step (`hls_sim.reference`)
can reproduce a run, and the next week's numbers can be drawn on another core while the kernels run
(`nogil`). Kernels stay serial: their float sums are order-dependent, and bit-identical results for
a seed come first (docs/performance.md).
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path


def _forget_stale_caches() -> None:
    """Drop compiled kernels cached on disk when the shared layout changed since they were compiled.

    numba's on-disk cache is keyed on each kernel's own source file, and it freezes module-level
    integers (the slot numbers in `hls_sim.layout`) into the machine code. A change to the layout
    or to the bundles in `hls_sim.state` alone would therefore leave kernels reading the wrong
    slots. A digest of those files is kept beside the cache; when it differs, the cache goes.
    """
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in ("layout.py", "state.py"):
        with contextlib.suppress(OSError):
            digest.update((here.parent / name).read_bytes())
    cache = here / "__pycache__"
    stamp = cache / "layout.stamp"
    want = digest.hexdigest()
    with contextlib.suppress(OSError):
        if stamp.read_text() == want:
            return
    with contextlib.suppress(OSError):
        for f in (*cache.glob("*.nbi"), *cache.glob("*.nbc")):
            f.unlink()
        cache.mkdir(exist_ok=True)
        stamp.write_text(want)


_forget_stale_caches()
