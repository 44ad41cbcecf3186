"""Server-side paging of the list pages: ``?page=N`` (from 1), a fixed page size; the
store is asked for one more row than a page holds, to know whether another follows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from fastapi import Request

T = TypeVar("T")
PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class PageRequest:
    number: int
    size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def fetch(self) -> int:
        return self.size + 1

    @classmethod
    def of(cls, request: Request, size: int = PAGE_SIZE) -> PageRequest:
        try:
            number = max(int(request.query_params.get("page", "1")), 1)
        except ValueError:
            number = 1
        return cls(min(number, 1_000_000), size)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @classmethod
    def of(cls, fetched: Sequence[T], request: PageRequest) -> Page[T]:
        return cls(list(fetched[: request.size]), request.number, len(fetched) > request.size)
