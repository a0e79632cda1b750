// A minimal Amplify JS v6 web app for the browser tests (tests/reliability/test_browser_security.py):
// bundled with esbuild, served from http://localhost:<port>, it signs up, reads its code from the emulator's
// outbox, confirms, signs in (SRP, Amplify's default) and reads its session, as a developer's app would.
import { Amplify } from 'aws-amplify';
import { confirmSignUp, fetchAuthSession, signIn, signUp } from 'aws-amplify/auth';

window.runAmplify = async ({ endpoint, userPoolId, userPoolClientId, username, password, email }) => {
  Amplify.configure({ Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint: endpoint } } });
  const steps = [];
  const signedUp = await signUp({ username, password, options: { userAttributes: { email } } });
  steps.push(signedUp.nextStep.signUpStep);
  const outbox = await fetch(`${endpoint}/_emulator/messages?username=${encodeURIComponent(username)}`);
  const { messages } = await outbox.json();
  const confirmed = await confirmSignUp({ username, confirmationCode: messages[0].code });
  steps.push(confirmed.nextStep.signUpStep);
  const signedIn = await signIn({ username, password });
  steps.push(signedIn.nextStep.signInStep);
  const session = await fetchAuthSession();
  return { steps, idTokenUser: session.tokens?.idToken?.payload['cognito:username'] ?? null };
};
