// signUp with autoSignIn: the code from the outbox confirms the account and autoSignIn() signs it in,
// with the default flow (SRP with the sign-up password) and with USER_AUTH (the ConfirmSignUp session).
//
//   node signup.mjs --list
import { autoSignIn, confirmSignUp, getCurrentUser, signUp } from 'aws-amplify/auth';

import {
  check,
  configure,
  entry,
  equal,
  exchanges,
  expectError,
  expectStep,
  lastCode,
  runScenarios,
  wrongCode,
} from './lib.mjs';

const PASSWORD = 'S1gn-Up-Passw0rd!';

/** A new user's username and email in the sign-up pool (the email is the username where the pool says so). */
function newcomer(pool) {
  const name = `amplify${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const email = `${name}@example.com`;
  return { username: pool.usernameIsEmail ? email : name, email };
}

/** signUp (with autoSignIn options), the wrong and then the right code; returns the signUp userId. */
async function signUpAndConfirm(pool, person, autoSignInOption, log) {
  const output = await signUp({
    username: person.username,
    password: PASSWORD,
    options: { userAttributes: { email: person.email }, autoSignIn: autoSignInOption },
  });
  equal(output.isSignUpComplete, false, 'signUp isSignUpComplete');
  equal(output.nextStep.signUpStep, 'CONFIRM_SIGN_UP', 'signUpStep');
  equal(output.nextStep.codeDeliveryDetails?.deliveryMedium, 'EMAIL', 'sign-up code deliveryMedium');
  equal(output.nextStep.codeDeliveryDetails?.attributeName, 'email', 'sign-up code attributeName');
  check(output.userId, 'signUp returned no userId', output);

  // The code goes to the user's Cognito username, which is the sub in pools that sign in by email.
  const code = await lastCode(pool.usernameIsEmail ? output.userId : person.username, pool.userPoolId);
  log(`signed up ${person.username} (${output.userId}); code ${code}`);
  await expectError(
    confirmSignUp({ username: person.username, confirmationCode: wrongCode(code) }),
    'CodeMismatchException',
    'confirmSignUp with a wrong code',
  );
  const confirmed = await confirmSignUp({ username: person.username, confirmationCode: code });
  equal(
    confirmed,
    { isSignUpComplete: true, nextStep: { signUpStep: 'COMPLETE_AUTO_SIGN_IN' } },
    'confirmSignUp output',
  );
  return output.userId;
}

const scenarios = {
  async SIGN_UP_AUTO_SIGN_IN(log) {
    const pool = entry('SIGN_UP');
    configure(pool);
    const person = newcomer(pool);
    await expectError(
      signUp({ username: person.username, password: 'short', options: { userAttributes: { email: person.email } } }),
      'InvalidPasswordException',
      'signUp with a password that breaks the policy',
    );
    const userId = await signUpAndConfirm(pool, person, true, log);
    expectStep(await autoSignIn(), 'DONE', 'autoSignIn()');
    equal((await getCurrentUser()).userId, userId, 'getCurrentUser().userId after autoSignIn');
    await expectError(
      signUp({
        username: person.username,
        password: PASSWORD,
        options: { userAttributes: { email: `x${person.email}` } },
      }),
      'UsernameExistsException',
      'signing up the same username again',
    );
  },

  async SIGN_UP_AUTO_SIGN_IN_USER_AUTH(log) {
    const pool = entry('SIGN_UP');
    configure(pool);
    const person = newcomer(pool);
    const userId = await signUpAndConfirm(pool, person, { authFlowType: 'USER_AUTH' }, log);
    const confirmSession = exchanges.filter((e) => e.operation === 'ConfirmSignUp' && e.status === 200).pop()
      ?.response?.Session;
    check(confirmSession, 'ConfirmSignUp returned no Session for autoSignIn');
    expectStep(await autoSignIn(), 'DONE', 'autoSignIn() with USER_AUTH');
    const initiate = exchanges.filter((e) => e.operation === 'InitiateAuth').pop();
    equal(initiate.request.AuthFlow, 'USER_AUTH', 'autoSignIn AuthFlow');
    equal(initiate.request.Session, confirmSession, 'autoSignIn sends the ConfirmSignUp Session');
    equal((await getCurrentUser()).userId, userId, 'getCurrentUser().userId after autoSignIn');
  },
};

await runScenarios('signup.mjs', scenarios);
