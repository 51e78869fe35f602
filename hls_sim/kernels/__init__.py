"""numba kernels of the weekly step, one module per concept; the order lives in `hls_sim.model`.

Every kernel is `@njit(cache=True, nogil=True)`, serial and reads its random numbers from arrays
drawn in Python beforehand, so a plain-Python implementation of the same step (`hls_sim.reference`)
can reproduce a run, and the next week's numbers can be drawn on another core while the kernels run
(`nogil`). Kernels stay serial: their float sums are order-dependent, and bit-identical results for
a seed come first (docs/performance.md).
"""
