"""Settings of the API benchmark's server: the project's own, plus the ceiling views' paths.

``DJANGO_SETTINGS_MODULE=bench.settings`` with the checkout on ``PYTHONPATH``. Everything else
(middleware, authentication, database from ``DATABASE_URL``, ``ENROLLMENT_WRITE_RATE``) is
``config.settings`` unchanged, so the measured endpoints run exactly as in production.
"""

from config.settings import *  # noqa: F403  (the project's settings, unchanged)

ROOT_URLCONF = "bench.urls"
