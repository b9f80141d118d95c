"""Entry point for gunicorn: `gunicorn wsgi:app`."""

import gc

from app import create_app

app = create_app()
# What the app built at start (its routes, mappers, templates, catalogues) lives as long as the
# worker: kept out of the garbage collector's sweeps, so a full collection in a request only
# walks what requests made (on the nation's reports such sweeps came every few requests).
gc.freeze()
