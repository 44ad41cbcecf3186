"""Shapes shared by every resource: pages of results and the paging parameters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

T = TypeVar("T")
R = TypeVar("R")


class Page(BaseModel, Generic[T]):
    """One page of a list, newest first unless the resource says otherwise."""

    items: list[T]
    limit: int = Field(description="page size asked for")
    offset: int = Field(description="how many matches were skipped")
    next_offset: int | None = Field(
        description="pass as `offset` for the next page; null on the last page"
    )


@dataclass(frozen=True, slots=True)
class Paging:
    limit: int
    offset: int

    @property
    def fetch(self) -> int:
        """How many to ask a store for: one more than a page tells whether another follows."""
        return self.limit + 1

    def page(self, fetched: Sequence[R], convert: Callable[[R], T]) -> Page[T]:
        """A page from up to ``fetch`` items fetched at ``offset``."""
        more = len(fetched) > self.limit
        return Page[T](
            items=[convert(item) for item in fetched[: self.limit]],
            limit=self.limit,
            offset=self.offset,
            next_offset=self.offset + self.limit if more else None,
        )


async def paging(
    limit: Annotated[int, Query(ge=1, le=1000, description="page size")] = 50,
    offset: Annotated[int, Query(ge=0, description="matches to skip")] = 0,
) -> Paging:
    return Paging(limit, offset)


PagingDep = Annotated[Paging, Depends(paging)]
"""``limit`` (1–1000, default 50) and ``offset`` query parameters."""
