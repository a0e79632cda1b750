"""SAML provider details: STUB, replaced by branch i19b (the SAML side of issue 19).

``complete(details)`` receives the caller's ProviderDetails of a SAML provider (``MetadataFile`` or
``MetadataURL``, optional ``IDPSignout``, ``IDPInit``, ``EncryptedResponses``, ``RequestSigningAlgorithm``) and
returns them as Describe shows them. i19b parses the metadata (entity id, certificates) and adds
``SSORedirectBindingURI``, ``SLORedirectBindingURI`` and ``ActiveEncryptionCertificate``; until then the details
are returned as given, after the check that one of MetadataFile / MetadataURL is there.
"""

from __future__ import annotations

from typing import Any

from emulator.protocol.errors import InvalidParameterException


def complete(details: dict[str, str]) -> dict[str, str]:
    if not details.get("MetadataFile") and not details.get("MetadataURL"):
        raise InvalidParameterException("Either MetadataFile or MetadataURL must be provided.")
    result: dict[str, Any] = dict(details)
    return result
