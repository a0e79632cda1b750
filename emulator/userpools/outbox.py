"""The outbox: every SMS and email Cognito would send, and the one-time codes they carry.

Nothing leaves the machine. A message is stored in the ``messages`` table (readable at
``GET /_emulator/messages``) and logged on one line by the ``emulator.outbox`` logger, so a person trying
the emulator sees the code in the console and a test reads it over HTTP.

Codes are 6 random digits from the OS CSPRNG (``--fixed-code`` replaces them for manual trials), kept in
``codes`` per user and purpose. A code is single use and expires; sending a new code of the same purpose
makes older ones stop working; a code guessed wrong too often stops working too.
"""

from __future__ import annotations

import hmac
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from emulator.clock import as_utc
from emulator.crypto import codes
from emulator.protocol.context import Context
from emulator.protocol.errors import CodeMismatchException, ExpiredCodeException, LimitExceededException
from emulator.store.models import Code, Message, User, UserPool
from emulator.userpools import observers
from emulator.userpools.triggers import custom_senders
from emulator.userpools.triggers.events import custom_message

log = logging.getLogger("emulator.outbox")

CHANNELS = ("EMAIL", "SMS")
# Wrong guesses of one code before it stops working ("Attempt limit exceeded").
MAX_WRONG_ATTEMPTS = 5
ATTEMPT_LIMIT_MESSAGE = "Attempt limit exceeded, please try after some time."
# How long spent codes are kept (for "already used" answers and the resend rate limit).
_KEEP_CODES = timedelta(days=2)

# Cognito's default texts.
DEFAULT_VERIFICATION_MESSAGE = "Your verification code is {####}. "
DEFAULT_VERIFICATION_SUBJECT = "Your verification code"
DEFAULT_LINK_MESSAGE = "Please click the link below to verify your email address. {##Verify Email##} "
DEFAULT_LINK_SUBJECT = "Your verification link"
DEFAULT_INVITE_MESSAGE = "Your username is {username} and temporary password is {####}. "
DEFAULT_INVITE_SUBJECT = "Your temporary password"


# --- messages ----------------------------------------------------------------------------------------
def render(template: str, *, code: str | None = None, username: str | None = None) -> str:
    text = template
    if code is not None:
        text = text.replace("{####}", code)
    if username is not None:
        text = text.replace("{username}", username)
    return text


def send_message(
    ctx: Context,
    pool: UserPool,
    *,
    username: str,
    channel: str,
    destination: str,
    purpose: str,
    body: str,
    subject: str | None = None,
    code: str | None = None,
    secret: str | None = None,
) -> Message | None:
    """Store a message in the outbox and log it on one line; or hand it to the pool's custom sender trigger
    (``triggers.custom_senders``: then nothing is stored and None returned). ``secret`` is what a custom
    sender gets as its code when the message's code is not one (an invitation's temporary password)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    if custom_senders.takes_over(
        ctx, pool, channel=channel, purpose=purpose, username=username, code=code or secret
    ):
        return None
    message = Message(
        pool_id=pool.id,
        username=username,
        channel=channel,
        destination=destination,
        purpose=purpose,
        code=code,
        subject=subject if channel == "EMAIL" else None,
        body=body,
        created_at=ctx.now,
    )
    ctx.db.add(message)
    ctx.db.flush()
    log.info(
        "%s to %s code=%s purpose=%s pool=%s user=%s",
        channel,
        destination,
        code if code is not None else "-",
        purpose,
        pool.id,
        username,
    )
    return message


def verification_message(pool: UserPool, channel: str) -> tuple[str | None, str]:
    """(subject, body template) of the pool's verification message for ``channel``."""
    template = pool.config.get("VerificationMessageTemplate") or {}
    if channel == "SMS":
        return None, template.get("SmsMessage") or pool.config.get(
            "SmsVerificationMessage"
        ) or DEFAULT_VERIFICATION_MESSAGE
    if template.get("DefaultEmailOption") == "CONFIRM_WITH_LINK":
        return (
            template.get("EmailSubjectByLink") or DEFAULT_LINK_SUBJECT,
            template.get("EmailMessageByLink") or DEFAULT_LINK_MESSAGE,
        )
    return (
        template.get("EmailSubject")
        or pool.config.get("EmailVerificationSubject")
        or DEFAULT_VERIFICATION_SUBJECT,
        template.get("EmailMessage")
        or pool.config.get("EmailVerificationMessage")
        or DEFAULT_VERIFICATION_MESSAGE,
    )


def invitation_message(pool: UserPool, channel: str) -> tuple[str | None, str]:
    """(subject, body template) of the pool's AdminCreateUser invitation for ``channel``."""
    template = (pool.config.get("AdminCreateUserConfig") or {}).get("InviteMessageTemplate") or {}
    if channel == "SMS":
        return None, template.get("SMSMessage") or DEFAULT_INVITE_MESSAGE
    return template.get("EmailSubject") or DEFAULT_INVITE_SUBJECT, template.get(
        "EmailMessage"
    ) or DEFAULT_INVITE_MESSAGE


# --- codes -------------------------------------------------------------------------------------------
def new_code(ctx: Context) -> str:
    return ctx.settings.fixed_code or codes.new_numeric_code(6)


def issue_code(
    ctx: Context,
    pool: UserPool,
    user: User,
    *,
    purpose: str,
    channel: str,
    destination: str,
    ttl: timedelta,
    data: dict[str, Any] | None = None,
    message: tuple[str | None, str] | None = None,
    link: str | None = None,
) -> Code:
    """A fresh code for ``user`` and ``purpose``, sent to ``destination``; older codes of the purpose stop
    working. ``message`` is (subject, body template) with {####} and {username}; by default the pool's
    verification message. ``link`` replaces a {##...##} placeholder (confirmation links)."""
    value = new_code(ctx)
    # Older unused codes of this purpose stop working (they answer "request a code again").
    ctx.db.execute(
        update(Code)
        .where(
            Code.user_id == user.id,
            Code.purpose == purpose,
            Code.used_at.is_(None),
            Code.expires_at > ctx.now,
        )
        .values(expires_at=ctx.now)
        # SQLite hands datetimes back naive: let the database, not Python, evaluate the condition.
        .execution_options(synchronize_session="fetch")
    )
    ctx.db.execute(
        delete(Code)
        .where(Code.user_id == user.id, Code.purpose == purpose, Code.created_at < ctx.now - _KEEP_CODES)
        .execution_options(synchronize_session="fetch")
    )
    row = Code(
        pool_id=pool.id,
        user_id=user.id,
        purpose=purpose,
        code=value,
        created_at=ctx.now,
        expires_at=ctx.now + ttl,
        used_at=None,
        attempts=0,
        data=data,
    )
    ctx.db.add(row)
    subject, template = message if message is not None else verification_message(pool, channel)

    subject, template = custom_message(ctx, pool, user, purpose, channel, subject, template)
    body = render(template, code=value, username=user.username)
    if link is not None:
        body = _replace_link(body, render(link, code=value, username=user.username))
    send_message(
        ctx,
        pool,
        username=user.username,
        channel=channel,
        destination=destination,
        purpose=purpose,
        body=body,
        subject=render(subject, code=value, username=user.username) if subject else subject,
        code=value,
    )
    observers.notify(ctx, "code_issued", user, purpose=purpose, channel=channel)
    return row


def _replace_link(body: str, link: str) -> str:
    start = body.find("{##")
    end = body.find("##}", start + 3) if start >= 0 else -1
    if start < 0 or end < 0:
        return body
    text = body[start + 3 : end]
    return f"{body[:start]}{text}: {link}{body[end + 3 :]}"


def codes_sent_since(ctx: Context, user: User, purpose: str, since: timedelta) -> int:
    """How many codes of ``purpose`` went to ``user`` in the last ``since`` (for resend limits)."""
    return ctx.db.scalar(
        select(func.count())
        .select_from(Code)
        .where(Code.user_id == user.id, Code.purpose == purpose, Code.created_at > ctx.now - since)
    )


def check_send_rate(
    ctx: Context, user: User, purpose: str, *, limit: int = 5, per: timedelta = timedelta(hours=1)
) -> None:
    """LimitExceededException when ``user`` already got ``limit`` codes of ``purpose`` within ``per``."""
    if codes_sent_since(ctx, user, purpose, per) >= limit:
        raise LimitExceededException(ATTEMPT_LIMIT_MESSAGE)


def pending_code(ctx: Context, user: User, purpose: str) -> Code | None:
    """The newest code of ``purpose`` that can still be used, if any."""
    row = ctx.db.scalar(
        select(Code).where(Code.user_id == user.id, Code.purpose == purpose).order_by(Code.id.desc()).limit(1)
    )
    if row is None or row.used_at is not None or as_utc(row.expires_at) <= ctx.now:
        return None
    return row


def consume_code(ctx: Context, user: User, *, purpose: str, code: str) -> Code:
    """Accept ``code`` for ``user`` and ``purpose`` once.

    A code that matches nothing is CodeMismatchException (and counts against the current code: after
    MAX_WRONG_ATTEMPTS it stops working, LimitExceededException); a code that was already used, has expired
    or was replaced by a newer one is ExpiredCodeException, as is a request when no code was ever sent.
    A wrong guess is committed before the error is raised, so the count survives the failed request.
    """
    # Locked until the operation commits: on PostgreSQL two racing requests with one code would otherwise
    # both read it unused and both succeed (SQLite's BEGIN IMMEDIATE already serialises them).
    rows = list(
        ctx.db.scalars(
            select(Code)
            .where(Code.user_id == user.id, Code.purpose == purpose)
            .order_by(Code.id.desc())
            .limit(50)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    if not rows:
        raise ExpiredCodeException()
    latest = rows[0]
    if latest.used_at is None and latest.attempts >= MAX_WRONG_ATTEMPTS:
        raise LimitExceededException(ATTEMPT_LIMIT_MESSAGE)
    given = code if isinstance(code, str) else ""
    match = next((row for row in rows if hmac.compare_digest(row.code.encode(), given.encode())), None)
    if match is None:
        latest.attempts += 1
        ctx.db.commit()
        raise CodeMismatchException()
    if match is not latest or latest.used_at is not None or as_utc(latest.expires_at) <= ctx.now:
        raise ExpiredCodeException()
    latest.used_at = ctx.now
    return latest


# --- how destinations are shown ----------------------------------------------------------------------
def mask_destination(channel: str, destination: str) -> str:
    """Cognito's masked destination: ``a***@e***`` for an email, ``+*******1234`` for a phone number."""
    if channel == "EMAIL":
        local, _, domain = destination.partition("@")
        return f"{local[:1]}***@{domain[:1]}***"
    if len(destination) <= 5:
        return destination
    return destination[:1] + "*" * (len(destination) - 5) + destination[-4:]


def delivery_details(channel: str, destination: str) -> dict[str, str]:
    """CodeDeliveryDetailsType for a code sent to ``destination``."""
    return {
        "Destination": mask_destination(channel, destination),
        "DeliveryMedium": channel,
        "AttributeName": "email" if channel == "EMAIL" else "phone_number",
    }


# --- reading the outbox (the /_emulator/messages API) -------------------------------------------------
def message_view(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "pool_id": message.pool_id,
        "username": message.username,
        "channel": message.channel,
        "destination": message.destination,
        "purpose": message.purpose,
        "code": message.code,
        "subject": message.subject,
        "body": message.body,
        "created_at": as_utc(message.created_at).isoformat(),
    }


def list_messages(
    session: Session,
    *,
    pool_id: str | None = None,
    username: str | None = None,
    channel: str | None = None,
    destination: str | None = None,
    limit: int | None = None,
) -> list[Message]:
    """Messages, newest first, filtered by whatever is given."""
    query = select(Message)
    if pool_id:
        query = query.where(Message.pool_id == pool_id)
    if username:
        query = query.where(Message.username == username)
    if channel:
        query = query.where(Message.channel == channel.upper())
    if destination:
        query = query.where(Message.destination == destination)
    query = query.order_by(Message.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def clear_messages(session: Session, *, pool_id: str | None = None) -> int:
    statement = delete(Message)
    if pool_id:
        statement = statement.where(Message.pool_id == pool_id)
    return session.execute(statement).rowcount or 0
