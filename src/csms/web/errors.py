"""What a page handler raises instead of answering: the web app turns these into a
redirect, or an error page in the viewer's language."""

from __future__ import annotations


class Redirect(Exception):
    """Answer with a redirect (303) to ``location``."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class Forbidden(Exception):
    """Answer 403 with ``reason`` (a message id, translated on the error page)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PageNotFound(Exception):
    """Answer 404: ``what`` (a station id, an order number...) is unknown."""

    def __init__(self, what: object) -> None:
        super().__init__(str(what))
        self.what = str(what)
