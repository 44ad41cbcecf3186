"""Meter readings as OCPP 1.6 MeterValue / SampledValue structures (1.6 §4.7, §7.31, §7.43).

The measurands a station reports are configured, not fixed: ``MeterValuesSampledData``
for MeterValues.req and ``StopTxnSampledData`` for StopTransaction.req transactionData
(1.6 §9.1). Measurands the simulated meter cannot produce are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from csms.ocpp.messages import v16
from csms.simulator.meter import Reading


def sampled_values(
    reading: Reading, measurands: Iterable[str], context: v16.ReadingContext
) -> list[v16.SampledValue]:
    """One SampledValue per configured measurand the reading has, in configured order."""
    available = reading.by_measurand()
    return [
        v16.SampledValue(
            value=available[name][0],
            context=context,
            measurand=cast(v16.Measurand, name),
            unit=cast(v16.UnitOfMeasure, available[name][1]),
        )
        for name in measurands
        if name in available
    ]


def meter_value(
    timestamp: datetime, reading: Reading, measurands: Iterable[str], context: v16.ReadingContext
) -> v16.MeterValue | None:
    """A MeterValue, or None when no configured measurand can be sampled (minItems is 1)."""
    values = sampled_values(reading, measurands, context)
    return v16.MeterValue(timestamp=timestamp, sampled_value=values) if values else None


def transaction_data(
    timestamp: datetime, reading: Reading, measurands: Iterable[str]
) -> list[v16.StopTransactionMeterValue]:
    """StopTransaction.req transactionData: the ``Transaction.End`` sample (1.6 §6.49)."""
    values = [
        v16.StopTransactionSampledValue(
            value=sample.value,
            context=sample.context,
            measurand=sample.measurand,
            unit=cast(v16.StopTransactionUnitOfMeasure, sample.unit),
        )
        for sample in sampled_values(reading, measurands, "Transaction.End")
    ]
    return (
        [v16.StopTransactionMeterValue(timestamp=timestamp, sampled_value=values)] if values else []
    )
