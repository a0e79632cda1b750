// An "existing app": configures Amplify JS v6 from amplify_outputs.json, adds userPoolEndpoint, then
// signs up (code from the emulator's outbox), confirms and signs in. Run by tests/api/test_amplify_outputs.py
// with AMPLIFY_DIR (where aws-amplify is installed), OUTPUTS (the file) and ENDPOINT (the emulator).
const { createRequire } = require('node:module');
const { readFileSync } = require('node:fs');
const path = require('node:path');

const requireAmplify = createRequire(path.join(process.env.AMPLIFY_DIR, 'package.json'));
const { Amplify } = requireAmplify('aws-amplify');
const auth = requireAmplify('aws-amplify/auth');

async function lastCode(username) {
  const url = `${process.env.ENDPOINT}/_emulator/messages?destination=${encodeURIComponent(username)}`;
  const { messages } = await (await fetch(url)).json();
  return messages[0].code;
}

async function failure(promise) {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return error.name;
  }
}

async function main() {
  const outputs = JSON.parse(readFileSync(process.env.OUTPUTS, 'utf8'));
  // The README's snippet (type-checked by tests/amplify/test_readme_snippet.py). The only additions:
  // userPoolEndpoint and identityPoolEndpoint, both the emulator.
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
      },
    },
  });
  const username = 'zoe@example.com';
  const report = {};
  report.shortPassword = await failure(
    auth.signUp({ username, password: 'Sh0rt-pass', options: { userAttributes: { email: username, given_name: 'Zoe' } } }),
  );
  report.missingGivenName = await failure(
    auth.signUp({ username, password: 'Correct-Horse-9', options: { userAttributes: { email: username } } }),
  );
  const signUp = await auth.signUp({
    username,
    password: 'Correct-Horse-9',
    options: { userAttributes: { email: username, given_name: 'Zoe' } },
  });
  report.signUpStep = signUp.nextStep.signUpStep;
  report.delivery = signUp.nextStep.codeDeliveryDetails?.deliveryMedium;
  const confirmed = await auth.confirmSignUp({ username, confirmationCode: await lastCode(username) });
  report.confirmed = confirmed.isSignUpComplete;
  report.passwordFlow = await failure(
    auth.signIn({ username, password: 'Correct-Horse-9', options: { authFlowType: 'USER_PASSWORD_AUTH' } }),
  );
  const signIn = await auth.signIn({ username, password: 'Correct-Horse-9' });
  report.signInStep = signIn.nextStep.signInStep;
  const user = await auth.getCurrentUser();
  report.userId = user.userId;
  report.attributes = await auth.fetchUserAttributes();
  const session = await auth.fetchAuthSession();
  report.identityId = session.identityId;
  report.accessKeyId = session.credentials?.accessKeyId;
  report.hasIdToken = Boolean(session.tokens?.idToken);
  console.log(JSON.stringify(report));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
