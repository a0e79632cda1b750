"""Everything that knows HTTP: the Starlette app and its routes, the AWS JSON 1.1 wire, SigV4, the
admin token, .well-known documents, the emulator's own API, the console, and serving with workers.
"""
