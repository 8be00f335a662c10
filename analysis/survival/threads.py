"""One BLAS thread around the Cox Newton steps.

The steps multiply tall, thin matrices (rows x a handful of covariates): OpenBLAS's second thread adds
synchronisation and no useful work there, so the same wall time costs up to twice the CPU (issue 21: Cox at
100k patients took 1.34x R's CPU with two threads, 0.68x with one). The limit holds only inside the block and
is restored afterwards; the controller (which scans the loaded libraries) is built once, on first use.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from functools import cache
from typing import Any


@cache
def _controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread() -> AbstractContextManager[Any]:
    """Limit the BLAS libraries numpy loaded to one thread for the duration of a `with` block."""
    return _controller().limit(limits=1, user_api="blas")
