// Verify tokens with the aws-jwt-verify npm package, for the Python tests (tests/api/test_tokens_node.py).
//
// Reads a JSON array of checks on stdin and writes a JSON array of results on stdout, one per check:
//   {"verifier": "rsa", "token", "issuer", "jwksUri", "tokenUse"?, "audience"?}
//       JwtRsaVerifier with the issuer and JWKS URI (the keys are fetched from the emulator; for a plain
//       http:// URI through a documented custom Fetcher, since aws-jwt-verify's default one is HTTPS-only)
//   {"verifier": "cognito", "token", "userPoolId", "tokenUse", "clientId", "jwks"}
//       CognitoJwtVerifier (AWS issuer form) with the JWKS handed over via cacheJwks
// Result: {"ok": true, "payload": {...}} or {"ok": false, "error": "<error class>", "message": "..."}.
import { CognitoJwtVerifier, JwtRsaVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";

// aws-jwt-verify's SimpleFetcher only speaks HTTPS; a local emulator is usually plain HTTP.
const httpFetcher = {
  async fetch(uri) {
    const response = await fetch(uri);
    if (response.status !== 200) throw new Error(`Status code is ${response.status}, expected 200`);
    return response.arrayBuffer();
  },
};

async function check(item) {
  try {
    let payload;
    if (item.verifier === "rsa") {
      const jwksCache = item.jwksUri.startsWith("http:")
        ? new SimpleJwksCache({ fetcher: httpFetcher })
        : undefined;
      const verifier = JwtRsaVerifier.create(
        {
          issuer: item.issuer,
          jwksUri: item.jwksUri,
          audience: item.audience ?? null,
          customJwtCheck: item.tokenUse
            ? ({ payload }) => {
                if (payload.token_use !== item.tokenUse) throw new Error(`token_use is ${payload.token_use}`);
              }
            : undefined,
        },
        { jwksCache },
      );
      payload = await verifier.verify(item.token);
    } else if (item.verifier === "cognito") {
      const verifier = CognitoJwtVerifier.create({
        userPoolId: item.userPoolId,
        tokenUse: item.tokenUse,
        clientId: item.clientId,
      });
      verifier.cacheJwks(item.jwks);
      payload = await verifier.verify(item.token);
    } else {
      throw new Error(`unknown verifier ${item.verifier}`);
    }
    return { ok: true, payload };
  } catch (error) {
    return { ok: false, error: error?.constructor?.name ?? "Error", message: String(error?.message ?? error) };
  }
}

let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const item of JSON.parse(input)) results.push(await check(item));
process.stdout.write(JSON.stringify(results));
