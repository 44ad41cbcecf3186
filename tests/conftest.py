"""Quiet, deterministic logging for the whole suite."""

from __future__ import annotations

from csms.logging import configure_logging

configure_logging("console", "warning")
