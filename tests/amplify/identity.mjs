// fetchAuthSession() with an identity pool: Amplify JS v6 configured from an amplify_outputs.json (identity
// pool included), plus userPoolEndpoint and identityPoolEndpoint, reads the session signed out (a guest),
// signs in, reads its session (tokens, AWS credentials, identityId), signs out and reads the guest session. Run by test_amplify_identity.py with
//   OUTPUTS   the amplify_outputs.json
//   ENDPOINT  the emulator
//   USERNAME, PASSWORD   a confirmed user of the file's user pool
//   GUESTS    "file" (allowGuestAccess as the file says) or "forced" (allowGuestAccess: true whatever it says)
// It prints one JSON line: the report, and every request Amplify made when something failed.
import { readFileSync } from 'node:fs';
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';

import { exchanges } from './lib.mjs';

function describe(session) {
  return {
    identityId: session.identityId ?? null,
    accessKeyId: session.credentials?.accessKeyId ?? null,
    hasSecret: Boolean(session.credentials?.secretAccessKey),
    hasSessionToken: Boolean(session.credentials?.sessionToken),
    expiration: session.credentials?.expiration ? new Date(session.credentials.expiration).toISOString() : null,
    hasIdToken: Boolean(session.tokens?.idToken),
    userSub: session.userSub ?? null,
  };
}

async function attempt(promise) {
  try {
    return { ok: describe(await promise) };
  } catch (error) {
    return { error: error.name, message: error.message };
  }
}

async function main() {
  const outputs = JSON.parse(readFileSync(process.env.OUTPUTS, 'utf8'));
  Amplify.configure(outputs);
  const config = Amplify.getConfig();
  const cognito = config.Auth?.Cognito;
  if (!cognito?.userPoolId || !cognito.identityPoolId) throw new Error('amplify_outputs.json declares no pools');
  Amplify.configure({
    ...config,
    Auth: {
      Cognito: {
        ...cognito,
        userPoolEndpoint: process.env.ENDPOINT,
        identityPoolEndpoint: process.env.ENDPOINT,
        ...(process.env.GUESTS === 'forced' ? { allowGuestAccess: true } : {}),
      },
    },
  });
  const report = { allowGuestAccess: Amplify.getConfig().Auth.Cognito.allowGuestAccess ?? false };
  report.before = await attempt(fetchAuthSession());
  const step = await signIn({ username: process.env.USERNAME, password: process.env.PASSWORD });
  report.signInStep = step.nextStep.signInStep;
  report.signedIn = await attempt(fetchAuthSession());
  report.again = await attempt(fetchAuthSession());
  await signOut();
  report.guest = await attempt(fetchAuthSession());
  report.operations = exchanges.map((item) => `${item.operation} ${item.status}${item.errorType ? ' ' + item.errorType : ''}`);
  console.log(JSON.stringify(report));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.log(JSON.stringify({ failed: `${error.name}: ${error.message}`, exchanges }));
    process.exit(1);
  },
);
