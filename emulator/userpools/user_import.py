"""User import from a CSV file: the header, the upload, the rows' rules and the job's state machine.

Created (with a PreSignedUrl the emulator serves itself: ``PUT <base URL>/_user-import/<job id>?...``) ->
StartUserImportJob -> Pending -> InProgress -> Succeeded (Failed when the file cannot be imported at all);
StopUserImportJob -> Stopping -> Stopped; a job not started within a day is Expired. The rows are imported in a
background thread of the process that started the job, a batch per transaction, so the counts move while it
runs. Imported users have no password and are RESET_REQUIRED: password hashes (PasswordHashingAlgorithm) are
not imported yet.

The file follows Cognito's rules: the header row has every column of GetCSVHeader (in any order); a value
with a comma escapes it as ``\\,``; every row has cognito:username and cognito:mfa_enabled, and a verified email
or phone number among the pool's auto-verified attributes (the one it has, if it has one), with the attribute
itself; the pool's required attributes. A row that breaks a rule fails, a user name that exists is skipped.
"""

from __future__ import annotations

import logging
import secrets
import string
import threading
import time
from datetime import datetime, timedelta
from typing import Any

import regex

from emulator import ids
from emulator.clock import as_utc
from emulator.protocol.context import Context
from emulator.protocol.errors import CognitoError, UsernameExistsException
from emulator.store.models import UserPool
from emulator.store.models_user_import import UserImportJob
from emulator.userpools import attributes, users

log = logging.getLogger("emulator")

UPLOAD_PATH = "/_user-import"
EXPIRY = timedelta(days=1)
MAX_ROWS = 500_000
BATCH = 100
_ALNUM = string.ascii_letters + string.digits
_NOT_IMPORTED = ("sub", "identities")
USERNAME, MFA_ENABLED = "cognito:username", "cognito:mfa_enabled"
# The model's UsernameType.
_USERNAME = regex.compile(r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+")


class FileRejected(Exception):
    """The file as a whole cannot be imported: the job fails with this message."""


def csv_header(pool: UserPool) -> list[str]:
    """GetCSVHeader: the pool's attributes (standard ones in Cognito's order, then custom ones), then
    cognito:mfa_enabled and cognito:username."""
    names = [
        item["Name"]
        for item in pool.config.get("SchemaAttributes") or []
        if item["Name"] not in _NOT_IMPORTED and not item["Name"].startswith("dev:")
    ]
    return [*names, MFA_ENABLED, USERNAME]


def new_job_id() -> str:
    return "import-" + "".join(secrets.choice(_ALNUM) for _ in range(10))


def new_upload_token() -> str:
    return secrets.token_urlsafe(32)


def upload_url(base_url: str, job: UserImportJob) -> str:
    expires = int(EXPIRY.total_seconds())
    return f"{base_url}{UPLOAD_PATH}/{job.id}?X-Amz-Expires={expires}&X-Amz-Signature={job.upload_token}"


def status(job: UserImportJob, now: datetime) -> str:
    if job.status == "Created" and now >= as_utc(job.created_at) + EXPIRY:
        return "Expired"
    return job.status


def describe(job: UserImportJob, base_url: str, now: datetime) -> dict[str, Any]:
    view: dict[str, Any] = {
        "JobName": job.name,
        "JobId": job.id,
        "UserPoolId": job.pool_id,
        "PreSignedUrl": upload_url(base_url, job),
        "CreationDate": as_utc(job.created_at),
        "Status": status(job, now),
        "CloudWatchLogsRoleArn": job.role_arn,
        "ImportedUsers": job.imported,
        "SkippedUsers": job.skipped,
        "FailedUsers": job.failed,
    }
    if job.started_at is not None:
        view["StartDate"] = as_utc(job.started_at)
    if job.completed_at is not None:
        view["CompletionDate"] = as_utc(job.completed_at)
    if job.message:
        view["CompletionMessage"] = job.message
    if job.hashing_algorithm:
        view["PasswordHashingAlgorithm"] = job.hashing_algorithm
    return view


def accept_upload(job: UserImportJob | None, token: str | None, body: bytes, now: datetime) -> str | None:
    """Store an uploaded CSV; an error text (S3's code) when the upload is refused."""
    if job is None or not token or not secrets.compare_digest(token.encode(), job.upload_token.encode()):
        return "AccessDenied"
    if status(job, now) != "Created":
        return "AccessDenied"
    try:
        job.csv = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "InvalidArgument"
    return None


# --- parsing -----------------------------------------------------------------------------------------
def split_line(line: str) -> list[str]:
    """One CSV line: fields separated by commas, ``\\,`` a comma inside a value."""
    fields, current, index = [], [], 0
    while index < len(line):
        char = line[index]
        if char == "\\" and index + 1 < len(line) and line[index + 1] == ",":
            current.append(",")
            index += 2
            continue
        if char == ",":
            fields.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    fields.append("".join(current))
    return fields


def parse(pool: UserPool, text: str) -> tuple[list[str], list[list[str]]]:
    """The header and the data rows; FileRejected when the file cannot be imported."""
    lines = [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]
    if not lines:
        raise FileRejected("The CSV file is empty.")
    header = [name.strip() for name in split_line(lines[0])]
    missing = [name for name in csv_header(pool) if name not in header]
    unknown = [name for name in header if name not in csv_header(pool)]
    if missing or unknown or len(set(header)) != len(header):
        raise FileRejected("The CSV header does not match the header of the user pool (GetCSVHeader).")
    if len(lines) - 1 > MAX_ROWS:
        raise FileRejected(f"The CSV file has more than {MAX_ROWS} users.")
    return header, [split_line(line) for line in lines[1:]]


def _true(value: str) -> bool:
    return value.strip().lower() == "true"


def row_user(pool: UserPool, header: list[str], row: list[str]) -> tuple[str, dict[str, str], bool]:
    """(username, attributes, mfa enabled) of one row; CognitoError or ValueError when the row fails."""
    if len(row) != len(header):
        raise ValueError("the row does not have as many values as the header")
    values = {name: value for name, value in zip(header, row, strict=True)}
    username = values.pop(USERNAME).strip()
    mfa = values.pop(MFA_ENABLED).strip().lower()
    if not username or len(username) > 128 or not _USERNAME.fullmatch(username):
        raise ValueError("cognito:username is missing or not a valid user name")
    if mfa not in ("true", "false"):
        raise ValueError("cognito:mfa_enabled must be true or false")
    given = {name: value for name, value in values.items() if value != ""}
    checked = attributes.check_writes(pool, given, client=None, creating=True)
    auto = [name for name in attributes.auto_verified(pool) if name in ("email", "phone_number")]
    if not auto:
        raise ValueError("the user pool has no auto-verified attribute")
    verified = [name for name in auto if _true(checked.get(f"{name}_verified", ""))]
    if not verified or (len(auto) == 1 and auto[0] not in verified):
        raise ValueError("the user needs a verified email or phone number")
    for name in ("email", "phone_number"):
        if _true(checked.get(f"{name}_verified", "")) and not checked.get(name):
            raise ValueError(f"{name}_verified is true but {name} is missing")
    attributes.check_required(pool, checked)
    if mfa == "true" and not checked.get("phone_number"):
        raise ValueError("cognito:mfa_enabled needs a phone number")
    return username, checked, mfa == "true"


def import_row(ctx: Context, pool: UserPool, header: list[str], row: list[str]) -> str:
    """Import one row: "imported", "skipped" (the user exists) or "failed"."""
    try:
        username, values, mfa = row_user(pool, header, row)
    except (CognitoError, ValueError):
        return "failed"
    if users.find_user(ctx, pool, username) is not None:
        return "skipped"
    savepoint = ctx.db.begin_nested()
    try:
        user = users.create_user(ctx, pool, username, values, status="RESET_REQUIRED")
        user.mfa_sms_enabled = mfa
        ctx.db.flush()
    except UsernameExistsException:
        savepoint.rollback()
        return "skipped"
    except CognitoError:
        savepoint.rollback()
        return "failed"
    savepoint.commit()
    return "imported"


# --- the background run ------------------------------------------------------------------------------
def start_in_background(emulator: Any, job_id: str) -> None:
    """Run the job in a daemon thread once StartUserImportJob's transaction has committed."""
    threading.Thread(
        target=_run_safely, args=(emulator, job_id), name=f"user-import-{job_id}", daemon=True
    ).start()


def _run_safely(emulator: Any, job_id: str) -> None:
    try:
        run(emulator, job_id)
    except Exception:
        log.exception("user import job %s failed", job_id)
        try:
            _finish(emulator, job_id, "Failed", "The import job failed with an internal error.")
        except Exception:
            log.exception("user import job %s: could not record the failure", job_id)


def _context(emulator: Any, session: Any, pool: UserPool) -> Context:
    return Context(
        db=session,
        emulator=emulator,
        now=emulator.now(session),
        region=pool.region,
        operation="StartUserImportJob",
        request_id=ids.request_id(),
    )


def _finish(emulator: Any, job_id: str, final: str, message: str) -> None:
    with emulator.database.session() as session, session.begin():
        job = session.get(UserImportJob, job_id)
        if job is not None and job.status in ("Pending", "InProgress", "Stopping"):
            job.status = "Stopped" if job.status == "Stopping" else final
            job.message = "The import job was stopped." if job.status == "Stopped" else message
            job.completed_at = emulator.now(session)


def run(emulator: Any, job_id: str, wait_seconds: float = 10.0) -> None:
    """Import the job's rows; returns when it is done, stopped or failed (or was never committed)."""
    deadline = time.monotonic() + wait_seconds
    while True:
        with emulator.database.session(write=False) as session:
            job = session.get(UserImportJob, job_id)
            current = job.status if job is not None else None
        if current != "Created":
            break
        if time.monotonic() > deadline:
            return
        time.sleep(0.05)
    if current not in ("Pending", "Stopping"):
        return
    with emulator.database.session() as session, session.begin():
        job = session.get(UserImportJob, job_id)
        pool = session.get(UserPool, job.pool_id) if job is not None else None
        if job is None or pool is None:
            return
        if job.status == "Stopping":
            job.status, job.message, job.completed_at = (
                "Stopped",
                "The import job was stopped.",
                emulator.now(session),
            )
            return
        job.status = "InProgress"
        text = job.csv or ""
        try:
            header, rows = parse(pool, text)
        except FileRejected as rejected:
            job.status, job.message, job.completed_at = "Failed", str(rejected), emulator.now(session)
            return
    done = 0
    while done < len(rows):
        with emulator.database.session() as session, session.begin():
            job = session.get(UserImportJob, job_id)
            pool = session.get(UserPool, job.pool_id) if job is not None else None
            if job is None or pool is None:
                return
            if job.status != "InProgress":
                break
            ctx = _context(emulator, session, pool)
            for row in rows[done : done + BATCH]:
                outcome = import_row(ctx, pool, header, row)
                setattr(job, outcome, getattr(job, outcome) + 1)
            done = min(done + BATCH, len(rows))
            job.rows_done = done
    _finish(emulator, job_id, "Succeeded", "The import job completed.")
