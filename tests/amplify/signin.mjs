// Every signInStep of Amplify JS v6, reached with the signIn option that produces it and finished with
// confirmSignIn / confirmSignUp / resetPassword + confirmResetPassword until the user is signed in.
//
//   node signin.mjs --list
//   AMPLIFY_WORLD='{"endpoint": ..., "steps": {...}}' node signin.mjs CONFIRM_SIGN_IN_WITH_SMS_CODE
import {
  confirmResetPassword,
  confirmSignIn,
  confirmSignUp,
  fetchAuthSession,
  fetchMFAPreference,
  getCurrentUser,
  resendSignUpCode,
  resetPassword,
  signIn,
  signOut,
} from 'aws-amplify/auth';

import {
  check,
  configure,
  entry,
  equal,
  expectError,
  expectStep,
  lastCode,
  runScenarios,
  totpCode,
  wrongCode,
  wrongTotpCode,
} from './lib.mjs';

const NEW_PASSWORD = 'N3w-Passw0rd!';

/** Configure Amplify for ``name``'s pool and call signIn with ``options``. */
async function startSignIn(name, options, password) {
  const user = entry(name);
  configure(user);
  const input = { username: user.username, options };
  if (password !== null) input.password = password ?? user.password;
  return { user, output: await signIn(input) };
}

/** The user is signed in: getCurrentUser and fetchAuthSession agree with each other and with the world. */
async function expectSignedIn(user, log) {
  const current = await getCurrentUser();
  const session = await fetchAuthSession();
  check(session.tokens?.accessToken && session.tokens?.idToken, 'fetchAuthSession has no tokens', session);
  equal(current.userId, session.userSub, 'getCurrentUser().userId vs fetchAuthSession().userSub');
  equal(current.username, user.cognitoUsername ?? user.username, 'getCurrentUser().username');
  log(`signed in as ${current.username} (${current.userId})`);
  return current;
}

/** At a code step (SMS / email): a wrong code fails with CodeMismatchException, the outbox's code signs in. */
async function finishWithOutboxCode(user, output, step, medium, log) {
  expectStep(output, step);
  equal(output.nextStep.codeDeliveryDetails?.deliveryMedium, medium, 'codeDeliveryDetails.deliveryMedium');
  check(output.nextStep.codeDeliveryDetails?.destination?.includes('*'), 'destination is not masked', output.nextStep);
  const code = await lastCode(user.cognitoUsername ?? user.username, user.userPoolId);
  log(`${step}: code ${code} from the outbox`);
  await expectError(confirmSignIn({ challengeResponse: wrongCode(code) }), 'CodeMismatchException', 'a wrong code');
  expectStep(await confirmSignIn({ challengeResponse: code }), 'DONE', 'after the right code');
  return expectSignedIn(user, log);
}

/** At CONFIRM_SIGN_IN_WITH_TOTP_CODE: a wrong code fails, the code computed from the secret signs in. */
async function finishWithTotp(user, output, secret, log) {
  expectStep(output, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
  await expectError(
    confirmSignIn({ challengeResponse: wrongTotpCode(secret) }),
    'CodeMismatchException',
    'a wrong TOTP code',
  );
  expectStep(await confirmSignIn({ challengeResponse: await totpCode(secret) }), 'DONE', 'after the TOTP code');
  return expectSignedIn(user, log);
}

/** At CONTINUE_SIGN_IN_WITH_TOTP_SETUP: a wrong code is refused, the right one finishes sign-in with TOTP set up. */
async function finishTotpSetup(user, output, log) {
  expectStep(output, 'CONTINUE_SIGN_IN_WITH_TOTP_SETUP');
  const secret = output.nextStep.totpSetupDetails?.sharedSecret;
  check(/^[A-Z2-7]{16,}$/.test(secret ?? ''), 'totpSetupDetails.sharedSecret is not base32', output.nextStep);
  const uri = output.nextStep.totpSetupDetails.getSetupUri('AmplifySuite').toString();
  check(uri.startsWith('otpauth://totp/AmplifySuite:') && uri.includes(secret), 'getSetupUri', uri);
  await expectError(
    confirmSignIn({ challengeResponse: wrongTotpCode(secret) }),
    'EnableSoftwareTokenMFAException',
    'a wrong code for the new TOTP secret',
  );
  expectStep(await confirmSignIn({ challengeResponse: await totpCode(secret) }), 'DONE', 'after verifying TOTP');
  await expectSignedIn(user, log);
  const preference = await fetchMFAPreference();
  check(preference.enabled?.includes('TOTP'), 'TOTP is not enabled after the setup', preference);
  // The new factor now guards the next sign-in.
  await signOut();
  const again = await signIn({ username: user.username, password: user.password });
  await finishWithTotp(user, again, secret, log);
}

/** At CONTINUE_SIGN_IN_WITH_EMAIL_SETUP: give an address, then the code sent there signs in. */
async function finishEmailSetup(user, output, log) {
  expectStep(output, 'CONTINUE_SIGN_IN_WITH_EMAIL_SETUP');
  const address = user.email ?? `${user.username}@example.com`;
  const next = await confirmSignIn({ challengeResponse: address });
  await finishWithOutboxCode(user, next, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', 'EMAIL', log);
  const preference = await fetchMFAPreference();
  check(preference.enabled?.includes('EMAIL'), 'email MFA is not enabled after the setup', preference);
}

/** At CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE: a wrong answer gets the question again, the right one signs in. */
async function finishCustomChallenge(user, output, log) {
  expectStep(output, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
  const question = output.nextStep.additionalInfo;
  check(
    question && Object.keys(question).length > 0,
    'additionalInfo (the public challenge parameters) is empty',
    output.nextStep,
  );
  log(`additionalInfo ${JSON.stringify(question)}`);
  check(user.customAnswer, 'the world gives no customAnswer for the custom-challenge user');
  const again = await confirmSignIn({ challengeResponse: `not ${user.customAnswer}` });
  expectStep(again, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE', 'after a wrong answer');
  expectStep(await confirmSignIn({ challengeResponse: user.customAnswer }), 'DONE', 'after the right answer');
  return expectSignedIn(user, log);
}

/** A value for an attribute NEW_PASSWORD_REQUIRED asks for. */
function attributeValue(name, user) {
  if (name === 'email') return user.email ?? `${user.username}@example.com`;
  if (name === 'phone_number') return '+15555550199';
  if (name === 'birthdate') return '1990-01-01';
  return 'Amplify Suite';
}

const scenarios = {
  // --- DONE, with each way of giving a password -------------------------------------------------------
  async DONE(log) {
    const user = entry('DONE');
    configure(user);
    await expectError(
      signIn({ username: user.username, password: `${user.password}x` }),
      'NotAuthorizedException',
      'SRP with a wrong password',
    );
    expectStep(await signIn({ username: user.username, password: user.password }), 'DONE', 'default (SRP) sign-in');
    await expectSignedIn(user, log);
  },

  async DONE_USER_PASSWORD_AUTH(log) {
    const user = entry('DONE');
    configure(user);
    const options = { authFlowType: 'USER_PASSWORD_AUTH' };
    await expectError(
      signIn({ username: user.username, password: `${user.password}x`, options }),
      'NotAuthorizedException',
      'USER_PASSWORD_AUTH with a wrong password',
    );
    await expectError(
      signIn({ username: `nobody-${user.username}`, password: user.password, options }),
      user.unknownUserError ?? 'NotAuthorizedException',
      'USER_PASSWORD_AUTH as an unknown user',
    );
    expectStep(await signIn({ username: user.username, password: user.password, options }), 'DONE');
    await expectSignedIn(user, log);
  },

  async DONE_USER_AUTH_PASSWORD(log) {
    const user = entry('DONE');
    configure(user);
    const options = { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD' };
    await expectError(
      signIn({ username: user.username, password: `${user.password}x`, options }),
      'NotAuthorizedException',
      'USER_AUTH PASSWORD with a wrong password',
    );
    expectStep(await signIn({ username: user.username, password: user.password, options }), 'DONE');
    await expectSignedIn(user, log);
  },

  async DONE_USER_AUTH_PASSWORD_SRP(log) {
    const user = entry('DONE');
    configure(user);
    const options = { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD_SRP' };
    await expectError(
      signIn({ username: user.username, password: `${user.password}x`, options }),
      'NotAuthorizedException',
      'USER_AUTH PASSWORD_SRP with a wrong password',
    );
    expectStep(await signIn({ username: user.username, password: user.password, options }), 'DONE');
    await expectSignedIn(user, log);
  },

  // --- MFA codes ------------------------------------------------------------------------------------------
  async CONFIRM_SIGN_IN_WITH_SMS_CODE(log) {
    const { user, output } = await startSignIn('CONFIRM_SIGN_IN_WITH_SMS_CODE');
    await finishWithOutboxCode(user, output, 'CONFIRM_SIGN_IN_WITH_SMS_CODE', 'SMS', log);
  },

  async CONFIRM_SIGN_IN_WITH_TOTP_CODE(log) {
    const { user, output } = await startSignIn('CONFIRM_SIGN_IN_WITH_TOTP_CODE', {
      authFlowType: 'USER_PASSWORD_AUTH',
    });
    check(user.totpSecret, 'the world gives no totpSecret for the TOTP user');
    await finishWithTotp(user, output, user.totpSecret, log);
  },

  async CONFIRM_SIGN_IN_WITH_EMAIL_CODE(log) {
    const { user, output } = await startSignIn('CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
    await finishWithOutboxCode(user, output, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', 'EMAIL', log);
  },

  async CONFIRM_SIGN_IN_WITH_EMAIL_CODE_PASSWORDLESS(log) {
    // USER_AUTH with a preferred first factor: a one-time code by email instead of a password.
    const { user, output } = await startSignIn(
      'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION',
      { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' },
      null,
    );
    await finishWithOutboxCode(user, output, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', 'EMAIL', log);
  },

  async CONFIRM_SIGN_IN_WITH_SMS_CODE_PASSWORDLESS(log) {
    // USER_AUTH with SMS_OTP as the preferred first factor: a one-time code by SMS instead of a password.
    const { user, output } = await startSignIn(
      'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION',
      { authFlowType: 'USER_AUTH', preferredChallenge: 'SMS_OTP' },
      null,
    );
    await finishWithOutboxCode(user, output, 'CONFIRM_SIGN_IN_WITH_SMS_CODE', 'SMS', log);
  },

  async CONTINUE_SIGN_IN_WITH_MFA_SELECTION(log) {
    const { user, output } = await startSignIn('CONTINUE_SIGN_IN_WITH_MFA_SELECTION', {
      authFlowType: 'USER_PASSWORD_AUTH',
    });
    expectStep(output, 'CONTINUE_SIGN_IN_WITH_MFA_SELECTION');
    const allowed = output.nextStep.allowedMFATypes ?? [];
    check(allowed.length >= 2, 'allowedMFATypes should offer a choice', output.nextStep);
    log(`allowedMFATypes ${JSON.stringify(allowed)}`);
    if (allowed.includes('EMAIL')) {
      const next = await confirmSignIn({ challengeResponse: 'EMAIL' });
      await finishWithOutboxCode(user, next, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', 'EMAIL', log);
    } else if (allowed.includes('SMS')) {
      const next = await confirmSignIn({ challengeResponse: 'SMS' });
      await finishWithOutboxCode(user, next, 'CONFIRM_SIGN_IN_WITH_SMS_CODE', 'SMS', log);
    } else {
      check(user.totpSecret, 'the world gives no totpSecret for the MFA-selection user', allowed);
      await finishWithTotp(user, await confirmSignIn({ challengeResponse: 'TOTP' }), user.totpSecret, log);
    }
  },

  // --- MFA setup during sign-in ---------------------------------------------------------------------------
  async CONTINUE_SIGN_IN_WITH_TOTP_SETUP(log) {
    const { user, output } = await startSignIn('CONTINUE_SIGN_IN_WITH_TOTP_SETUP');
    await finishTotpSetup(user, output, log);
  },

  async CONTINUE_SIGN_IN_WITH_EMAIL_SETUP(log) {
    const { user, output } = await startSignIn('CONTINUE_SIGN_IN_WITH_EMAIL_SETUP');
    await finishEmailSetup(user, output, log);
  },

  async CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION(log) {
    const { user, output } = await startSignIn('CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION', {
      authFlowType: 'USER_PASSWORD_AUTH',
    });
    expectStep(output, 'CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION');
    equal([...(output.nextStep.allowedMFATypes ?? [])].sort(), ['EMAIL', 'TOTP'], 'allowedMFATypes');
    await finishTotpSetup(user, await confirmSignIn({ challengeResponse: 'TOTP' }), log);
  },

  async CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION_EMAIL(log) {
    const { user, output } = await startSignIn('CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION');
    expectStep(output, 'CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION');
    await finishEmailSetup(user, await confirmSignIn({ challengeResponse: 'EMAIL' }), log);
  },

  // --- choice-based sign-in (USER_AUTH without a preference) ---------------------------------------------
  async CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION(log) {
    const { user, output } = await startSignIn(
      'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION',
      { authFlowType: 'USER_AUTH' },
      null,
    );
    expectStep(output, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
    const available = output.nextStep.availableChallenges ?? [];
    log(`availableChallenges ${JSON.stringify(available)}`);
    check(available.includes('EMAIL_OTP'), 'EMAIL_OTP is not among availableChallenges', available);
    check(
      available.includes('PASSWORD') || available.includes('PASSWORD_SRP'),
      'no password factor offered',
      available,
    );
    const next = await confirmSignIn({ challengeResponse: 'EMAIL_OTP' });
    await finishWithOutboxCode(user, next, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', 'EMAIL', log);
  },

  async CONFIRM_SIGN_IN_WITH_PASSWORD(log) {
    const { user, output } = await startSignIn('CONFIRM_SIGN_IN_WITH_PASSWORD', { authFlowType: 'USER_AUTH' }, null);
    expectStep(output, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
    expectStep(await confirmSignIn({ challengeResponse: 'PASSWORD' }), 'CONFIRM_SIGN_IN_WITH_PASSWORD');
    expectStep(await confirmSignIn({ challengeResponse: user.password }), 'DONE', 'after the password');
    await expectSignedIn(user, log);
  },

  async CONFIRM_SIGN_IN_WITH_PASSWORD_SRP(log) {
    const { user, output } = await startSignIn('CONFIRM_SIGN_IN_WITH_PASSWORD', { authFlowType: 'USER_AUTH' }, null);
    expectStep(output, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
    check(
      output.nextStep.availableChallenges?.includes('PASSWORD_SRP'),
      'PASSWORD_SRP is not offered',
      output.nextStep,
    );
    expectStep(await confirmSignIn({ challengeResponse: 'PASSWORD_SRP' }), 'CONFIRM_SIGN_IN_WITH_PASSWORD');
    expectStep(await confirmSignIn({ challengeResponse: user.password }), 'DONE', 'after the password (SRP)');
    await expectSignedIn(user, log);
  },

  // --- custom challenges (Lambda triggers) ------------------------------------------------------------------
  async CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE(log) {
    const { user, output } = await startSignIn(
      'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE',
      { authFlowType: 'CUSTOM_WITHOUT_SRP' },
      null,
    );
    await finishCustomChallenge(user, output, log);
  },

  async CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE_SRP(log) {
    const { user, output } = await startSignIn('CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE', {
      authFlowType: 'CUSTOM_WITH_SRP',
    });
    await finishCustomChallenge(user, output, log);
  },

  // --- account states ----------------------------------------------------------------------------------------
  async CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED(log) {
    const { user, output } = await startSignIn('CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED');
    expectStep(output, 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED');
    const missing = output.nextStep.missingAttributes ?? [];
    log(`missingAttributes ${JSON.stringify(missing)}`);
    const userAttributes = Object.fromEntries(missing.map((name) => [name, attributeValue(name, user)]));
    await expectError(
      confirmSignIn({ challengeResponse: 'short', options: { userAttributes } }),
      'InvalidPasswordException',
      'a new password that breaks the policy',
    );
    expectStep(
      await confirmSignIn({ challengeResponse: NEW_PASSWORD, options: { userAttributes } }),
      'DONE',
      'after the new password',
    );
    await expectSignedIn(user, log);
    await signOut();
    await expectError(
      signIn({ username: user.username, password: user.password }),
      'NotAuthorizedException',
      'the temporary password after the change',
    );
    expectStep(await signIn({ username: user.username, password: NEW_PASSWORD }), 'DONE', 'with the new password');
  },

  async RESET_PASSWORD(log) {
    const { user, output } = await startSignIn('RESET_PASSWORD');
    expectStep(output, 'RESET_PASSWORD');
    const reset = await resetPassword({ username: user.username });
    equal(reset.isPasswordReset, false, 'resetPassword().isPasswordReset');
    equal(reset.nextStep.resetPasswordStep, 'CONFIRM_RESET_PASSWORD_WITH_CODE', 'resetPasswordStep');
    check(reset.nextStep.codeDeliveryDetails?.deliveryMedium, 'no codeDeliveryDetails', reset.nextStep);
    const code = await lastCode(user.cognitoUsername ?? user.username, user.userPoolId);
    log(`reset code ${code} from the outbox`);
    await expectError(
      confirmResetPassword({ username: user.username, confirmationCode: wrongCode(code), newPassword: NEW_PASSWORD }),
      'CodeMismatchException',
      'confirmResetPassword with a wrong code',
    );
    await confirmResetPassword({ username: user.username, confirmationCode: code, newPassword: NEW_PASSWORD });
    expectStep(await signIn({ username: user.username, password: NEW_PASSWORD }), 'DONE', 'with the new password');
    await expectSignedIn(user, log);
  },

  async CONFIRM_SIGN_UP(log) {
    const { user, output } = await startSignIn('CONFIRM_SIGN_UP', { authFlowType: 'USER_PASSWORD_AUTH' });
    expectStep(output, 'CONFIRM_SIGN_UP');
    const delivery = await resendSignUpCode({ username: user.username });
    check(delivery.deliveryMedium, 'resendSignUpCode gave no delivery details', delivery);
    const code = await lastCode(user.cognitoUsername ?? user.username, user.userPoolId);
    log(`sign-up code ${code} from the outbox`);
    await expectError(
      confirmSignUp({ username: user.username, confirmationCode: wrongCode(code) }),
      'CodeMismatchException',
      'confirmSignUp with a wrong code',
    );
    const confirmed = await confirmSignUp({ username: user.username, confirmationCode: code });
    equal(confirmed, { isSignUpComplete: true, nextStep: { signUpStep: 'DONE' } }, 'confirmSignUp output');
    await expectError(
      confirmSignUp({ username: user.username, confirmationCode: code }),
      'NotAuthorizedException',
      'confirming again',
    );
    expectStep(await signIn({ username: user.username, password: user.password }), 'DONE', 'after confirming');
    await expectSignedIn(user, log);
  },
};

await runScenarios('signin.mjs', scenarios);
