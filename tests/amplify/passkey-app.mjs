// An Amplify JS v6 web app for the passkey browser test (tests/amplify/test_passkeys_chromium.py): bundled with
// esbuild and served from http://localhost:<port> (a secure context, so WebAuthn works), it registers, lists
// and deletes passkeys and signs in with them, as a developer's app would. Each step is one call from the
// test, which switches Chrome's virtual authenticator between the steps.
import { Amplify } from 'aws-amplify';
import {
  associateWebAuthnCredential,
  confirmSignIn,
  deleteWebAuthnCredential,
  fetchAuthSession,
  listWebAuthnCredentials,
  signIn,
  signOut,
} from 'aws-amplify/auth';

const failure = (error) => ({ error: error?.name ?? String(error), message: error?.message ?? '' });

const attempt = async (step) => {
  try {
    return await step();
  } catch (error) {
    return failure(error);
  }
};

const signedInUser = async () => {
  const session = await fetchAuthSession();
  return session.tokens?.idToken?.payload['cognito:username'] ?? null;
};

window.passkeyApp = {
  configure: ({ endpoint, userPoolId, userPoolClientId }) => {
    Amplify.configure({ Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint: endpoint } } });
    return true;
  },
  signInWithPassword: ({ username, password }) =>
    attempt(async () => {
      const result = await signIn({ username, password });
      return { step: result.nextStep.signInStep, user: await signedInUser() };
    }),
  register: () =>
    attempt(async () => {
      await associateWebAuthnCredential();
      return { registered: true };
    }),
  list: () =>
    attempt(async () => {
      const { credentials, nextToken } = await listWebAuthnCredentials();
      return { credentials, nextToken: nextToken ?? null };
    }),
  remove: ({ credentialId }) =>
    attempt(async () => {
      await deleteWebAuthnCredential({ credentialId });
      return { deleted: true };
    }),
  signOut: () => attempt(async () => {
    await signOut();
    return { signedOut: true };
  }),
  signInWithPasskey: ({ username }) =>
    attempt(async () => {
      const result = await signIn({
        username,
        options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' },
      });
      return { step: result.nextStep.signInStep, user: await signedInUser() };
    }),
  signInBySelection: ({ username }) =>
    attempt(async () => {
      const first = await signIn({ username, options: { authFlowType: 'USER_AUTH' } });
      const offered = first.nextStep.availableChallenges ?? [];
      if (first.nextStep.signInStep !== 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION' || !offered.includes('WEB_AUTHN')) {
        return { firstStep: first.nextStep.signInStep, offered };
      }
      const chosen = await confirmSignIn({ challengeResponse: 'WEB_AUTHN' });
      return {
        firstStep: first.nextStep.signInStep,
        offered,
        step: chosen.nextStep.signInStep,
        user: await signedInUser(),
      };
    }),
};
