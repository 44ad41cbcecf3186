"""Fixtures for service tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.services.command_kit import Kit, build_kit


@pytest.fixture
async def kit() -> AsyncIterator[Kit]:
    """Command-side services with a scripted station and the write-behind flusher running."""
    built = build_kit()
    flusher = asyncio.create_task(built.write_behind.run())
    yield built
    flusher.cancel()
    await built.write_behind.close()
    built.events.close()
