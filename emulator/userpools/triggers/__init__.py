"""Lambda triggers that run locally.

A pool's LambdaConfig names functions by ARN, as in AWS. Where a function runs is an emulator setting
(``--trigger NAME=TARGET``, COGNITO_EMULATOR_TRIGGERS, or a fixture file), kept in the database so every
worker agrees:
  python:package.module:function   imported and called in-process as handler(event, context)
  http://host:port                 the Lambda Invoke API (SAM CLI start-lambda, serverless-offline, LocalStack)
``--lambda-endpoint URL`` is the Invoke API used for functions with no mapping of their own.

Modules: targets (where a function runs), invoke (running it, with Cognito's errors), events (the documented
event of each trigger source).
"""

from emulator.userpools.triggers.invoke import configured, invoke

__all__ = ["configured", "invoke"]
