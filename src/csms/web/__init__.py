"""The operator dashboard (``/``) and the driver web app (``/app``), server-rendered.

Pages call the services, never SQL. :func:`mount_web` adds them to the HTTP application
that ``csms.api.create_api`` builds (the REST API, ``/docs``, ``/health`` and
``/metrics`` stay as they are), with the static files under ``/static``.
"""

from csms.web.app import mount_web
from csms.web.context import Web

__all__ = ["Web", "mount_web"]
