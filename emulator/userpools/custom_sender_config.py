"""The LambdaConfig rule of the custom sender triggers: CustomEmailSender and CustomSMSSender need KMSKeyID, the
key their codes are encrypted with (``emulator.userpools.triggers.custom_senders``)."""

from __future__ import annotations

from typing import Any

from emulator.protocol.errors import InvalidParameterException

SENDERS = ("CustomEmailSender", "CustomSMSSender")


def check(lambda_config: dict[str, Any] | None) -> None:
    config = lambda_config or {}
    if any(config.get(name) for name in SENDERS) and not config.get("KMSKeyID"):
        raise InvalidParameterException(
            "KMSKeyID is required when CustomEmailSender or CustomSMSSender is configured."
        )
