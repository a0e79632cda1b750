"""A PreTokenGeneration V2/V3 handler for the OAuth tests: it names its trigger source in a claim of each
token and adds a scope to the access token."""


def handler(event, context):
    source = event["triggerSource"]
    event["response"] = {
        "claimsAndScopeOverrideDetails": {
            "idTokenGeneration": {"claimsToAddOrOverride": {"trigger_source": source}},
            "accessTokenGeneration": {
                "claimsToAddOrOverride": {
                    "trigger_source": source,
                    "seen_scopes": " ".join(event["request"]["scopes"]),
                },
                "scopesToAdd": ["extra/added"],
            },
        }
    }
    return event
