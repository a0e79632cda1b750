"""Terms documents of an app client (managed login's terms of use and privacy policy links):
CreateTerms, DescribeTerms, DescribeTermsByClient, ListTerms, UpdateTerms, DeleteTerms. Stored and returned."""

from __future__ import annotations

import uuid
from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import (
    InvalidParameterException,
    ResourceNotFoundException,
    TermsExistsException,
)
from emulator.store.models import UserPool
from emulator.store.models_records import PoolRecord
from emulator.userpools import pool_records, pools
from emulator.userpools.operations import operation

KIND = "terms"


def _view(row: PoolRecord) -> dict[str, Any]:
    return {
        "TermsId": row.id,
        "ClientId": row.client_id,
        **row.document,
        "CreationDate": row.created_at,
        "LastModifiedDate": row.modified_at,
    }


def _check_links(document: dict[str, Any]) -> None:
    if document.get("TermsSource") == "LINK" and not document.get("Links"):
        raise InvalidParameterException("Links are required when TermsSource is LINK.")


def _get(ctx: Context, pool: UserPool, terms_id: str) -> PoolRecord:
    row = pool_records.get(ctx.db, KIND, terms_id.lower(), pool.id)
    if row is None:
        raise ResourceNotFoundException(f"Terms {terms_id} do not exist.")
    return row


def _taken(ctx: Context, pool: UserPool, client_id: str, name: str, other_than: str | None = None) -> None:
    row = pool_records.find(ctx.db, KIND, pool.id, client_id=client_id, name=name)
    if row is not None and row.id != other_than:
        raise TermsExistsException(f"Terms named {name} already exist for client {client_id}.")


@operation("CreateTerms")
def create_terms(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    client = pools.get_client(ctx, pool, request["ClientId"])
    document = {
        key: request[key] for key in ("TermsName", "TermsSource", "Enforcement", "Links") if key in request
    }
    _check_links(document)
    _taken(ctx, pool, client.id, request["TermsName"])
    row = pool_records.add(
        ctx.db,
        KIND,
        str(uuid.uuid4()),
        pool.id,
        document,
        ctx.now,
        client_id=client.id,
        name=request["TermsName"],
    )
    return {"Terms": _view(row)}


@operation("DescribeTerms", writes=False)
def describe_terms(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    return {"Terms": _view(_get(ctx, pool, request["TermsId"]))}


@operation("DescribeTermsByClient", writes=False)
def describe_terms_by_client(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    client = pools.get_client(ctx, pool, request["ClientId"])
    row = pool_records.find(ctx.db, KIND, pool.id, client_id=client.id, name=request["TermsName"])
    if row is None:
        raise ResourceNotFoundException(f"Terms {request['TermsName']} do not exist for client {client.id}.")
    return {"Terms": _view(row)}


@operation("ListTerms", writes=False)
def list_terms(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    rows, following = pool_records.page(
        pool_records.all_of(ctx.db, KIND, pool.id), request.get("NextToken"), request.get("MaxResults") or 60
    )
    result: dict[str, Any] = {
        "Terms": [
            {
                "TermsId": row.id,
                "TermsName": row.document["TermsName"],
                "Enforcement": row.document["Enforcement"],
                "CreationDate": row.created_at,
                "LastModifiedDate": row.modified_at,
            }
            for row in rows
        ]
    }
    if following:
        result["NextToken"] = following
    return result


@operation("UpdateTerms")
def update_terms(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    row = _get(ctx, pool, request["TermsId"])
    document = dict(row.document)
    document.update(
        {key: request[key] for key in ("TermsName", "TermsSource", "Enforcement", "Links") if key in request}
    )
    _check_links(document)
    if row.client_id is not None:
        _taken(ctx, pool, row.client_id, document["TermsName"], other_than=row.id)
    row.document = document
    row.name = document["TermsName"]
    row.modified_at = ctx.now
    return {"Terms": _view(row)}


@operation("DeleteTerms")
def delete_terms(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    ctx.db.delete(_get(ctx, pool, request["TermsId"]))
    return {}
