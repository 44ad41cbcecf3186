"""How the operation services' errors reach an API caller (commands, reservations, local
lists, driver sessions). The gateway's CommandError is mapped by ``csms.api.errors``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from csms.api.errors import ApiError
from csms.services.commands import (
    InvalidCommand,
    NoFreeConnector,
    StartRefused,
    TransactionNotActive,
    TransactionNotFound,
)
from csms.services.reservations import InvalidReservation, ReservationNotFound, ReservationNotLive


def invalid_command(error: InvalidCommand, where: str = "body") -> ApiError:
    """422 naming the OCPP field that breaks the schema (``body.chargingProfile...``)."""
    field = f"{where}.{error.field}" if error.field else where
    return ApiError(
        422,
        "validation_error",
        f"{field}: {error.message}",
        fields=[{"field": field, "message": error.message}],
    )


@contextmanager
def operation_errors() -> Iterator[None]:
    """Translate the services' errors into API errors."""
    try:
        yield
    except InvalidCommand as error:
        raise invalid_command(error) from None
    except (TransactionNotFound, ReservationNotFound) as error:
        code = "transaction_not_found" if isinstance(error, TransactionNotFound) else "reservation_not_found"
        raise ApiError(404, code, str(error)) from None
    except StartRefused as error:
        raise ApiError(
            409, "start_refused", str(error), id_tag_status=error.status.value, reason=error.reason
        ) from None
    except NoFreeConnector as error:
        raise ApiError(409, "no_free_connector", str(error)) from None
    except TransactionNotActive as error:
        raise ApiError(409, "transaction_not_active", str(error)) from None
    except ReservationNotLive as error:
        raise ApiError(409, "reservation_not_live", str(error)) from None
    except InvalidReservation as error:
        raise ApiError(422, "validation_error", str(error)) from None
