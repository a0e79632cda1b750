"""Cognito error types: one exception class per error the service can answer with.

The classes below cover every error shape of the cognito-idp and cognito-identity service models plus the protocol-level
errors of the AWS JSON 1.1 wire (UnknownOperationException, SerializationException, ...).
An operation raises one of these; the wire turns it into Cognito's JSON error response.
"""

from __future__ import annotations


class CognitoError(Exception):
    """Base of every error answered to a client: ``__type`` is the class name."""

    status: int = 400
    default_message: str = ""

    def __init__(self, message: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(self.message)

    @property
    def code(self) -> str:
        return type(self).__name__


class AccessDeniedException(CognitoError):
    pass


class AliasExistsException(CognitoError):
    pass


class CachedCIMDURLDoesNotExistException(CognitoError):
    pass


class CodeDeliveryFailureException(CognitoError):
    pass


class CodeMismatchException(CognitoError):
    default_message = "Invalid verification code provided, please try again."


class ConcurrentModificationException(CognitoError):
    pass


class DeveloperUserAlreadyRegisteredException(CognitoError):
    pass


class DeviceKeyExistsException(CognitoError):
    pass


class DuplicateProviderException(CognitoError):
    pass


class EnableSoftwareTokenMFAException(CognitoError):
    pass


class ExpiredCodeException(CognitoError):
    default_message = "Invalid code provided, please request a code again."


class ExternalServiceException(CognitoError):
    pass


class FeatureUnavailableInTierException(CognitoError):
    pass


class ForbiddenException(CognitoError):
    pass


class GroupExistsException(CognitoError):
    pass


class InternalErrorException(CognitoError):
    status = 500
    default_message = "Internal server error."


class InternalServerException(CognitoError):
    status = 500


class InvalidEmailRoleAccessPolicyException(CognitoError):
    pass


class InvalidIdentityPoolConfigurationException(CognitoError):
    pass


class InvalidLambdaResponseException(CognitoError):
    pass


class InvalidOAuthFlowException(CognitoError):
    pass


class InvalidParameterException(CognitoError):
    pass


class InvalidPasswordException(CognitoError):
    pass


class InvalidSignatureException(CognitoError):
    pass


class InvalidSmsRoleAccessPolicyException(CognitoError):
    pass


class InvalidSmsRoleTrustRelationshipException(CognitoError):
    pass


class InvalidUserPoolConfigurationException(CognitoError):
    pass


class LimitExceededException(CognitoError):
    pass


class MFAMethodNotFoundException(CognitoError):
    pass


class ManagedLoginBrandingExistsException(CognitoError):
    pass


class MissingAuthenticationTokenException(CognitoError):
    pass


class NotAuthorizedException(CognitoError):
    pass


class NotImplementedException(CognitoError):
    status = 501


class OperationNotEnabledException(CognitoError):
    pass


class PasswordHistoryPolicyViolationException(CognitoError):
    pass


class PasswordResetRequiredException(CognitoError):
    default_message = "Password reset required for the user"


class PreconditionNotMetException(CognitoError):
    pass


class RefreshTokenReuseException(CognitoError):
    pass


class ResourceConflictException(CognitoError):
    pass


class ResourceNotFoundException(CognitoError):
    pass


class ScopeDoesNotExistException(CognitoError):
    pass


class SerializationException(CognitoError):
    pass


class ServiceQuotaExceededException(CognitoError):
    pass


class SoftwareTokenMFANotFoundException(CognitoError):
    pass


class TermsExistsException(CognitoError):
    pass


class TierChangeNotAllowedException(CognitoError):
    pass


class TooManyFailedAttemptsException(CognitoError):
    pass


class TooManyRequestsException(CognitoError):
    pass


class UnauthorizedException(CognitoError):
    pass


class UnexpectedLambdaException(CognitoError):
    pass


class UnknownOperationException(CognitoError):
    pass


class UnrecognizedClientException(CognitoError):
    pass


class UnsupportedIdentityProviderException(CognitoError):
    pass


class UnsupportedOperationException(CognitoError):
    pass


class UnsupportedTokenTypeException(CognitoError):
    pass


class UnsupportedUserStateException(CognitoError):
    pass


class UserImportInProgressException(CognitoError):
    pass


class UserLambdaValidationException(CognitoError):
    pass


class UserNotConfirmedException(CognitoError):
    default_message = "User is not confirmed."


class UserNotFoundException(CognitoError):
    default_message = "User does not exist."


class UserPoolAddOnNotEnabledException(CognitoError):
    pass


class UserPoolTaggingException(CognitoError):
    pass


class UsernameExistsException(CognitoError):
    default_message = "User already exists"


class WebAuthnChallengeNotFoundException(CognitoError):
    pass


class WebAuthnClientMismatchException(CognitoError):
    pass


class WebAuthnConfigurationMissingException(CognitoError):
    pass


class WebAuthnCredentialNotSupportedException(CognitoError):
    pass


class WebAuthnNotEnabledException(CognitoError):
    pass


class WebAuthnOriginNotAllowedException(CognitoError):
    pass


class WebAuthnRelyingPartyMismatchException(CognitoError):
    pass
