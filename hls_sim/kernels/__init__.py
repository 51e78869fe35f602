"""numba kernels of the weekly step, one module per concept; the order lives in `hls_sim.model`.

Every kernel is `@njit(cache=True)`, serial and reads its random numbers from arrays drawn in
Python beforehand, so a plain-Python implementation of the same step can reproduce a run.
"""
