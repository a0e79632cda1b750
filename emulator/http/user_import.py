"""The PreSignedUrl of a user import job: ``PUT /_user-import/<job id>?X-Amz-Signature=...`` with the CSV file.

It stands in for the S3 upload URL Cognito hands out: like S3 it answers 200 with an ETag, or an S3-style XML
error (403 AccessDenied for a wrong signature or a job that no longer takes a file)."""

from __future__ import annotations

import hashlib

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.engine.core import Emulator
from emulator.store.models_user_import import UserImportJob
from emulator.userpools import user_import

_MESSAGES = {
    "AccessDenied": ("Access Denied", 403),
    "InvalidArgument": ("The file must be UTF-8 text.", 400),
}


def _store(emulator: Emulator, job_id: str, token: str | None, body: bytes) -> str | None:
    with emulator.database.session() as session, session.begin():
        job = session.get(UserImportJob, job_id)
        return user_import.accept_upload(job, token, body, emulator.now(session))


async def upload(request: Request) -> Response:
    emulator: Emulator = request.app.state.emulator
    body = await request.body()
    error = await run_in_threadpool(
        _store, emulator, request.path_params["job_id"], request.query_params.get("X-Amz-Signature"), body
    )
    if error is not None:
        message, status = _MESSAGES[error]
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{error}</Code><Message>{message}</Message></Error>"
        )
        return Response(xml, status_code=status, media_type="application/xml")
    return Response(status_code=200, headers={"ETag": f'"{hashlib.md5(body).hexdigest()}"'})  # noqa: S324


routes = [Route(user_import.UPLOAD_PATH + "/{job_id}", upload, methods=["PUT"])]
