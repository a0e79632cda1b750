"""User import jobs: GetCSVHeader, CreateUserImportJob, StartUserImportJob, StopUserImportJob,
DescribeUserImportJob, ListUserImportJobs. The rules are in ``emulator.userpools.user_import``; the upload
URL is served by ``emulator.http.user_import``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from emulator.protocol.context import Context
from emulator.protocol.errors import (
    InvalidParameterException,
    PreconditionNotMetException,
    ResourceNotFoundException,
)
from emulator.store.models import UserPool
from emulator.store.models_user_import import UserImportJob
from emulator.userpools import pools, user_import
from emulator.userpools.operations import operation


def _job(ctx: Context, pool: UserPool, job_id: str) -> UserImportJob:
    job = ctx.db.get(UserImportJob, job_id)
    if job is None or job.pool_id != pool.id:
        raise ResourceNotFoundException(f"Import job {job_id} does not exist.")
    return job


def _view(ctx: Context, job: UserImportJob) -> dict[str, Any]:
    return user_import.describe(job, ctx.settings.base_url, ctx.now)


@operation("GetCSVHeader", writes=False)
def get_csv_header(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    return {"UserPoolId": pool.id, "CSVHeader": user_import.csv_header(pool)}


@operation("CreateUserImportJob")
def create_user_import_job(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    job_id = user_import.new_job_id()
    while ctx.db.get(UserImportJob, job_id) is not None:
        job_id = user_import.new_job_id()
    job = UserImportJob(
        id=job_id,
        pool_id=pool.id,
        name=request["JobName"],
        role_arn=request["CloudWatchLogsRoleArn"],
        hashing_algorithm=request.get("PasswordHashingAlgorithm"),
        status="Created",
        upload_token=user_import.new_upload_token(),
        created_at=ctx.now,
        imported=0,
        skipped=0,
        failed=0,
        rows_done=0,
    )
    ctx.db.add(job)
    return {"UserImportJob": _view(ctx, job)}


@operation("StartUserImportJob")
def start_user_import_job(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    job = _job(ctx, pool, request["JobId"])
    current = user_import.status(job, ctx.now)
    if current != "Created":
        raise InvalidParameterException(f"Import job {job.id} is {current}: only a Created job can start.")
    if job.csv is None:
        raise PreconditionNotMetException(
            f"No CSV file was uploaded for import job {job.id}: PUT it to its PreSignedUrl first."
        )
    job.status = "Pending"
    job.started_at = ctx.now
    user_import.start_in_background(ctx.emulator, job.id)
    return {"UserImportJob": _view(ctx, job)}


@operation("StopUserImportJob")
def stop_user_import_job(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    job = _job(ctx, pool, request["JobId"])
    if job.status not in ("Pending", "InProgress"):
        raise InvalidParameterException(
            f"Import job {job.id} is {user_import.status(job, ctx.now)}: only a Pending or InProgress job can stop."
        )
    job.status = "Stopping"
    return {"UserImportJob": _view(ctx, job)}


@operation("DescribeUserImportJob", writes=False)
def describe_user_import_job(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    return {"UserImportJob": _view(ctx, _job(ctx, pool, request["JobId"]))}


@operation("ListUserImportJobs", writes=False)
def list_user_import_jobs(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    limit = request["MaxResults"]
    query = select(UserImportJob).where(UserImportJob.pool_id == pool.id)
    jobs = list(ctx.db.scalars(query.order_by(UserImportJob.created_at, UserImportJob.id)))
    start = 0
    if request.get("PaginationToken"):
        wanted = pools.decode_token(request["PaginationToken"])
        start = next((index for index, job in enumerate(jobs) if job.id == wanted), -1)
        if start < 0:
            raise InvalidParameterException("Invalid pagination token.")
    result: dict[str, Any] = {"UserImportJobs": [_view(ctx, job) for job in jobs[start : start + limit]]}
    if len(jobs) > start + limit:
        result["PaginationToken"] = pools.encode_token(jobs[start + limit].id)
    return result
