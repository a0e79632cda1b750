"""User import jobs (CreateUserImportJob & co.): the job, its uploaded CSV and its counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from emulator.store.models import Base


class UserImportJob(Base):
    __tablename__ = "user_import_jobs"
    __table_args__ = (Index("ix_user_import_jobs_pool", "pool_id", "created_at"),)
    id: Mapped[str] = mapped_column(String(55), primary_key=True)  # import-XXXXXXXXXX
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    role_arn: Mapped[str] = mapped_column(String(2048))
    hashing_algorithm: Mapped[str | None] = mapped_column(String(32))
    # Created, Pending, InProgress, Stopping, Stopped, Failed, Succeeded (Expired is worked out on reading).
    status: Mapped[str] = mapped_column(String(16))
    # The secret part of the PreSignedUrl (DescribeUserImportJob shows the URL again, as Cognito does).
    upload_token: Mapped[str] = mapped_column(String(64))
    csv: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    imported: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    # How far the import got (rows of the CSV done), so that a stopped job's counts are right.
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(String(256))
