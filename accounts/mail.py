"""What a failed send means, and how long to wait before the next try: one judgement for every
email Ordo sends (the outbox here, the digests' ledger above)."""

from __future__ import annotations

import smtplib
import socket
from dataclasses import dataclass

# Failures of the connection itself: the server is down, unreachable or hung up. Worth another try.
UNREACHABLE = (ConnectionError, socket.timeout, OSError)


@dataclass(frozen=True)
class Failure:
    reason: str  # what the mail server said, for the people who look at the failure
    transient: bool  # worth trying again later


def failure_of(error: Exception) -> Failure | None:
    """What a send that raised `error` means; None when it is no mail failure at all (a bug,
    which the caller must not retry as if the server were down)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return Failure(_recipients_refused(error), transient=all(400 <= code < 500 for code in codes))
    if isinstance(error, smtplib.SMTPResponseException):
        return Failure(f"{error.smtp_code} {_text(error.smtp_error)}", transient=400 <= error.smtp_code < 500)
    if isinstance(error, smtplib.SMTPException):
        return Failure(f"SMTP error: {error}", transient=True)
    if isinstance(error, UNREACHABLE):
        return Failure(f"Mail server unreachable: {error}", transient=True)
    return None


def _text(message) -> str:
    return message.decode(errors="replace") if isinstance(message, bytes) else str(message)


def _recipients_refused(error: smtplib.SMTPRecipientsRefused) -> str:
    parts = [f"{address}: {code} {_text(message)}" for address, (code, message) in error.recipients.items()]
    return "Recipient refused — " + "; ".join(parts)


def retry_delay(attempt: int, *, base: int, cap: int) -> int:
    """Seconds to wait after the `attempt`-th try failed for a while: base, 2×base, 4×base…
    at most `cap`."""
    return min(base * 2 ** max(attempt - 1, 0), cap)
