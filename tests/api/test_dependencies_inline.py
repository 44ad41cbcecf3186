"""Every dependency of every route runs on the event loop, none in a worker thread.

FastAPI runs a plain ``def`` dependency through a thread pool; under load each such hop
waits for the GIL (up to the 5 ms switch interval), which is what the command latency
benchmark measured. A sync dependency added later fails here."""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount

from csms.app import App


def _api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif isinstance(route, Mount):
            yield from _api_routes(getattr(route.app, "routes", []))
        elif (included := getattr(route, "original_router", None)) is not None:
            yield from _api_routes(included.routes)  # FastAPI's include_router wrapper


def _calls(dependant: Dependant) -> Iterator[object]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _runs_inline(call: object) -> bool:
    if inspect.iscoroutinefunction(call):
        return True
    method = inspect.getattr_static(type(call), "__call__", None)  # security schemes: instances
    return inspect.iscoroutinefunction(method)


def test_no_route_has_a_dependency_that_fastapi_would_run_in_a_thread(app: App) -> None:
    routes = list(_api_routes(app.api.routes))
    assert len(routes) > 50  # the API and the web pages are both mounted here

    threaded = {
        f"{route.path}: {getattr(call, '__qualname__', call)}"
        for route in routes
        for call in _calls(route.dependant)
        if not _runs_inline(call)
    }

    assert not threaded
