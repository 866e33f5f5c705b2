"""One BLAS thread for the command line, unless the user chose how many.

The toolkit parallelises with worker processes and Numba threads; BLAS threads on top would
oversubscribe the cores, and starting OpenBLAS's thread pool is a fifth of NumPy's import time.
Both the Click command group and the quick paths that answer without Click set it.
"""

from __future__ import annotations

import os
import sys

#: Variables that choose the BLAS thread count; when none is set the CLI uses one BLAS thread.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def one_blas_thread() -> None:
    """Run BLAS single-threaded unless the user chose otherwise (set ``OPENBLAS_NUM_THREADS=1``
    when none of :data:`BLAS_THREAD_VARIABLES` is set). Only effective before NumPy is imported
    (the CLI imports it lazily)."""
    if "numpy" not in sys.modules and not any(v in os.environ for v in BLAS_THREAD_VARIABLES):
        os.environ["OPENBLAS_NUM_THREADS"] = "1"
