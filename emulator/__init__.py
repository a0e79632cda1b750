"""A local, offline Amazon Cognito user-pool emulator."""

__version__ = "0.1.0"
