"""Benchmarks of csms against a baseline and the raw transport limit.

``python -m bench all`` runs every scenario against three servers, each started as its
own process pinned to one core:

* ``csms``      ``python -m csms serve`` (validation and persistence on);
* ``baseline``  a minimal central system on the mobilityhouse ``ocpp`` library and
  ``websockets``, written the way that library's documentation shows;
* ``echo``      a bare picows server that answers every frame with a fixed CALLRESULT.

The load generator (:mod:`bench.loadgen`) simulates stations with csms's own sans-I/O
core (:class:`csms.ocpp.RpcSession`) over the picows client, in one or more processes
on the remaining cores. Every csms figure is reported as a ratio to both other servers
measured in the same run. See docs/benchmarks.md.
"""
