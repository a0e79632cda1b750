// A minimal Amplify JS v6 web app that signs in with signInWithRedirect() (tests/amplify/test_redirect_browser.py):
// bundled with esbuild and served from http://localhost:<port>/ by the test, which puts the app's settings in the
// page as window.REDIRECT_APP (the pool, client, userPoolEndpoint and oauth.domain 'localhost:<tls port>/<domain>').
// Amplify is configured on every page load, as a real app does: that is when it finishes a sign-in that comes back
// from the login page (the code exchange at https://<domain>/oauth2/token).
import { Amplify } from 'aws-amplify';
import {
  fetchAuthSession,
  fetchUserAttributes,
  getCurrentUser,
  signInWithRedirect,
  signOut,
} from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';

const settings = window.REDIRECT_APP;
const events = [];
window.authEvents = events;
// Before configure: the events of a sign-in that completes on this page load.
Hub.listen('auth', ({ payload }) => {
  const error = payload.data?.error ?? (payload.data instanceof Error ? payload.data : null);
  events.push({ event: payload.event, error: error ? `${error.name}: ${error.message}` : null });
});

Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: settings.userPoolId,
      userPoolClientId: settings.userPoolClientId,
      userPoolEndpoint: settings.userPoolEndpoint,
      loginWith: {
        oauth: {
          domain: settings.domain,
          scopes: settings.scopes,
          redirectSignIn: [settings.redirect],
          redirectSignOut: [settings.redirect],
          responseType: 'code',
        },
      },
    },
  },
});

const tokens = (session) => ({
  access: session.tokens?.accessToken?.payload ?? null,
  id: session.tokens?.idToken?.payload ?? null,
});

window.app = {
  // Navigates away (location.href = https://<domain>/oauth2/authorize?...): do not await it from the test.
  signIn: () => {
    signInWithRedirect().catch((error) => events.push({ event: 'signIn call failed', error: `${error.name}: ${error.message}` }));
  },
  state: async () => {
    const user = await getCurrentUser();
    const attributes = await fetchUserAttributes();
    return { user: { username: user.username, userId: user.userId }, attributes, tokens: tokens(await fetchAuthSession()) };
  },
  refresh: async () => tokens(await fetchAuthSession({ forceRefresh: true })),
  // Revokes the refresh token (RevokeToken at userPoolEndpoint), then navigates to https://<domain>/logout.
  signOut: () => {
    signOut().catch((error) => events.push({ event: 'signOut call failed', error: `${error.name}: ${error.message}` }));
  },
  signedIn: async () => {
    try {
      await getCurrentUser();
      return true;
    } catch {
      return false;
    }
  },
};
