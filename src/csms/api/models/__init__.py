"""Request and response models of the REST API: separate ``*Create``/``*Update`` (what a
client sends) and ``*Public`` (what it gets back) per resource."""

from csms.api.models.common import Page, Paging, PagingDep, paging

__all__ = ["Page", "Paging", "PagingDep", "paging"]
