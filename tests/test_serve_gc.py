"""``csms serve`` freezes its start-up objects before serving (csms.app.freeze_startup_objects),
so full garbage collections no longer walk them while stations wait."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from csms import cli
from csms.settings import Settings


class _RecordingApp:
    frozen_when_run = -1

    def request_stop(self) -> None:
        pass

    async def run(self) -> None:
        self.frozen_when_run = gc.get_freeze_count()


async def test_serve_freezes_start_up_objects_before_it_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _RecordingApp()

    async def build(_settings: Settings) -> Any:
        assert gc.get_freeze_count() == 0
        return app

    monkeypatch.setattr(cli, "build_app", build)
    gc.unfreeze()
    try:
        await cli._serve(Settings())
    finally:
        gc.unfreeze()  # this test process builds many apps: let their cycles be collected

    assert app.frozen_when_run > 10_000
