"""Hocso as production runs it, with one change for bench/ratio.py: the verify page's rate limit
is raised, since every request of the benchmark comes from one address.

    gunicorn bench.bench_wsgi:app      (with HOCSO_ENV=production's environment: SECRET_KEY ...)
"""

import gc

from app import create_app
from config import ProductionConfig


class BenchProductionConfig(ProductionConfig):
    VERIFY_RATE_LIMIT = "1000000 per minute"


app = create_app(BenchProductionConfig)
gc.freeze()  # as wsgi.py does
