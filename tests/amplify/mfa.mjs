// MFA managed by a signed-in user: setUpTOTP / verifyTOTPSetup, updateMFAPreference / fetchMFAPreference,
// and the sign-in that the new preference then requires.
//
//   node mfa.mjs --list
import {
  confirmSignIn,
  fetchMFAPreference,
  setUpTOTP,
  signIn,
  signOut,
  updateMFAPreference,
  verifyTOTPSetup,
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

// The flow does not matter here (signin.mjs covers SRP): USER_PASSWORD_AUTH saves the client's SRP math.
const PASSWORD_AUTH = { authFlowType: 'USER_PASSWORD_AUTH' };

/** A confirmed user without MFA in a pool where MFA is optional (TOTP and email allowed). */
async function signedIn() {
  const user = entry('MFA_OPTIONAL');
  configure(user);
  expectStep(
    await signIn({ username: user.username, password: user.password, options: PASSWORD_AUTH }),
    'DONE',
    'sign-in before any MFA',
  );
  return user;
}

/** fetchMFAPreference, with "none" spelled one way (Cognito may omit the list or send it empty). */
async function preference() {
  const { preferred, enabled } = await fetchMFAPreference();
  return { preferred: preferred ?? null, enabled: enabled ?? [] };
}

const scenarios = {
  async TOTP_SETUP_AND_PREFERENCE(log) {
    const user = await signedIn();
    equal(await preference(), { preferred: null, enabled: [] }, 'fetchMFAPreference before');
    const details = await setUpTOTP();
    const secret = details.sharedSecret;
    check(/^[A-Z2-7]{16,}$/.test(secret ?? ''), 'setUpTOTP().sharedSecret is not base32', details);
    await expectError(
      verifyTOTPSetup({ code: wrongTotpCode(secret) }),
      'EnableSoftwareTokenMFAException',
      'verifyTOTPSetup with a wrong code',
    );
    await verifyTOTPSetup({ code: await totpCode(secret) });
    await updateMFAPreference({ totp: 'PREFERRED' });
    equal(await preference(), { preferred: 'TOTP', enabled: ['TOTP'] }, 'fetchMFAPreference after');

    await signOut();
    const output = await signIn({ username: user.username, password: user.password, options: PASSWORD_AUTH });
    expectStep(output, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE', 'sign-in with TOTP preferred');
    await expectError(
      confirmSignIn({ challengeResponse: wrongTotpCode(secret) }),
      'CodeMismatchException',
      'a wrong TOTP code',
    );
    expectStep(await confirmSignIn({ challengeResponse: await totpCode(secret) }), 'DONE', 'after the TOTP code');

    await updateMFAPreference({ totp: 'DISABLED' });
    equal(await preference(), { preferred: null, enabled: [] }, 'fetchMFAPreference disabled');
    await signOut();
    expectStep(
      await signIn({ username: user.username, password: user.password, options: PASSWORD_AUTH }),
      'DONE',
      'sign-in without MFA again',
    );
    log(`TOTP set up with secret ${secret}, used and disabled`);
  },

  async EMAIL_PREFERENCE(log) {
    const user = await signedIn();
    await updateMFAPreference({ email: 'PREFERRED' });
    equal(await preference(), { preferred: 'EMAIL', enabled: ['EMAIL'] }, 'fetchMFAPreference after');
    await signOut();
    const output = await signIn({ username: user.username, password: user.password, options: PASSWORD_AUTH });
    expectStep(output, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', 'sign-in with email MFA preferred');
    const code = await lastCode(user.cognitoUsername ?? user.username, user.userPoolId);
    await expectError(
      confirmSignIn({ challengeResponse: wrongCode(code) }),
      'CodeMismatchException',
      'a wrong email code',
    );
    expectStep(await confirmSignIn({ challengeResponse: code }), 'DONE', 'after the email code');
    log(`email code ${code}`);
  },
};

await runScenarios('mfa.mjs', scenarios);
