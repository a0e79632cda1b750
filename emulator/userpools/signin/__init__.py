"""The sign-in engine: a state machine over Cognito's challenges.

A flow starts (InitiateAuth / AdminInitiateAuth); each step either answers the next challenge, with a stored,
expiring, single-use session, or tokens. Modules:
  sessions   the Session values handed to clients, stored as hashes with the flow's state
  outcomes   what a step produces (a challenge or tokens) and how it is written into a response
  factors    first factors: password, SRP, passwordless one-time codes
  mfa        which second factor a user gets, and checking MFA codes
  challenges one handler per challenge name answered through RespondToAuthChallenge
  flows      one starter per auth flow of InitiateAuth / AdminInitiateAuth
  lockout    failed-password counting and lockout
  webauthn   the WEB_AUTHN first factor: a passkey assertion (checked by userpools.passkeys)
"""
