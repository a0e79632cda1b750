// A signed-in user's session: getCurrentUser, fetchAuthSession (and a forced refresh), user attributes,
// password change, signOut (local and global) and deleteUser.
//
//   node session.mjs --list
import {
  confirmUserAttribute,
  deleteUser,
  fetchAuthSession,
  fetchUserAttributes,
  getCurrentUser,
  signIn,
  signOut,
  updatePassword,
  updateUserAttributes,
} from 'aws-amplify/auth';

import {
  check,
  claims,
  cognitoCall,
  configure,
  entry,
  equal,
  exchanges,
  expectError,
  expectStep,
  lastAuthenticationResult,
  lastCode,
  runScenarios,
  wrongCode,
} from './lib.mjs';

// The flow does not matter here (signin.mjs covers SRP): USER_PASSWORD_AUTH saves the client's SRP math.
const PASSWORD_AUTH = { authFlowType: 'USER_PASSWORD_AUTH' };

/** Sign the DONE user in and return it. */
async function signedIn() {
  const user = entry('DONE');
  configure(user);
  expectStep(await signIn({ username: user.username, password: user.password, options: PASSWORD_AUTH }), 'DONE');
  return user;
}

/** The one exchange of ``operation`` since index ``from``; it must have succeeded. */
function succeeded(operation, from) {
  const found = exchanges.slice(from).filter((exchange) => exchange.operation === operation);
  check(found.length === 1, `expected one ${operation} request, saw ${found.length}`, exchanges.slice(from));
  check(found[0].status === 200, `${operation} failed`, found[0]);
  return found[0];
}

/** A raw call must fail with ``errorType`` (for tokens Amplify no longer holds). */
async function expectRawError(operation, body, errorType, what) {
  const answer = await cognitoCall(operation, body);
  check(answer.status >= 400 && answer.errorType === errorType, `${what}: expected ${errorType}`, answer);
}

const scenarios = {
  async CURRENT_USER_AND_SESSION(log) {
    const user = await signedIn();
    const current = await getCurrentUser();
    equal(current.username, user.cognitoUsername ?? user.username, 'getCurrentUser().username');
    equal(current.signInDetails?.loginId, user.username, 'signInDetails.loginId');
    const session = await fetchAuthSession();
    const access = session.tokens.accessToken.payload;
    const id = session.tokens.idToken.payload;
    equal(access.token_use, 'access', 'access token token_use');
    equal(id.token_use, 'id', 'id token token_use');
    equal(access.client_id, user.userPoolClientId, 'access token client_id');
    equal(id.aud, user.userPoolClientId, 'id token aud');
    equal(id['cognito:username'], current.username, 'id token cognito:username');
    equal(session.userSub, current.userId, 'fetchAuthSession().userSub');
    equal(access.sub, current.userId, 'access token sub');
    check(access.exp > Date.now() / 1000 && access.iat <= Date.now() / 1000 + 5, 'token times are off', access);
    equal(session.credentials, undefined, 'credentials without an identity pool');

    const before = exchanges.length;
    const refreshed = await fetchAuthSession({ forceRefresh: true });
    const call = succeeded('GetTokensFromRefreshToken', before);
    equal(call.request.ClientId, user.userPoolClientId, 'GetTokensFromRefreshToken ClientId');
    const newAccess = refreshed.tokens.accessToken;
    check(
      newAccess.toString() !== session.tokens.accessToken.toString(),
      'forceRefresh returned the same access token',
    );
    check(newAccess.payload.jti !== access.jti, 'the refreshed access token has the same jti', newAccess.payload);
    equal(newAccess.payload.sub, access.sub, 'refreshed access token sub');
    equal(refreshed.userSub, current.userId, 'userSub after the refresh');
    equal((await getCurrentUser()).userId, current.userId, 'getCurrentUser after the refresh');
    log(`refreshed: jti ${access.jti} -> ${newAccess.payload.jti}`);
  },

  async USER_ATTRIBUTES(log) {
    const user = await signedIn();
    const attributes = await fetchUserAttributes();
    equal(attributes.sub, (await getCurrentUser()).userId, 'fetchUserAttributes().sub');
    log(`attributes ${JSON.stringify(attributes)}`);

    const renamed = await updateUserAttributes({ userAttributes: { name: 'Renamed By Amplify' } });
    equal(renamed.name, { isUpdated: true, nextStep: { updateAttributeStep: 'DONE' } }, 'updateUserAttributes name');
    equal((await fetchUserAttributes()).name, 'Renamed By Amplify', 'name after the update');

    // The pool verifies email addresses: a new one needs the code sent to it.
    const address = `changed-${Date.now()}@example.com`;
    const changed = await updateUserAttributes({ userAttributes: { email: address } });
    equal(changed.email?.isUpdated, false, 'email isUpdated');
    equal(changed.email?.nextStep?.updateAttributeStep, 'CONFIRM_ATTRIBUTE_WITH_CODE', 'email updateAttributeStep');
    equal(changed.email.nextStep.codeDeliveryDetails?.deliveryMedium, 'EMAIL', 'email deliveryMedium');
    const code = await lastCode(user.cognitoUsername ?? user.username, user.userPoolId);
    await expectError(
      confirmUserAttribute({ userAttributeKey: 'email', confirmationCode: wrongCode(code) }),
      'CodeMismatchException',
      'confirmUserAttribute with a wrong code',
    );
    await confirmUserAttribute({ userAttributeKey: 'email', confirmationCode: code });
    const after = await fetchUserAttributes();
    equal([after.email, after.email_verified], [address, 'true'], 'email after confirming it');
  },

  async CHANGE_PASSWORD(log) {
    const user = await signedIn();
    const newPassword = 'Ch4nged-Passw0rd!';
    await expectError(
      updatePassword({ oldPassword: `${user.password}x`, newPassword }),
      'NotAuthorizedException',
      'updatePassword with a wrong old password',
    );
    await expectError(
      updatePassword({ oldPassword: user.password, newPassword: 'short' }),
      'InvalidPasswordException',
      'updatePassword with a password that breaks the policy',
    );
    await updatePassword({ oldPassword: user.password, newPassword });
    await signOut();
    await expectError(
      signIn({ username: user.username, password: user.password, options: PASSWORD_AUTH }),
      'NotAuthorizedException',
      'the old password after the change',
    );
    expectStep(
      await signIn({ username: user.username, password: newPassword, options: PASSWORD_AUTH }),
      'DONE',
      'with the new password',
    );
    log('password changed');
  },

  async SIGN_OUT_LOCAL(log) {
    const user = await signedIn();
    const tokens = lastAuthenticationResult();
    check(claims(tokens.AccessToken).origin_jti, 'the access token has no origin_jti, so signOut cannot revoke');
    const before = exchanges.length;
    await signOut();
    const revoke = succeeded('RevokeToken', before);
    equal(revoke.request, { ClientId: user.userPoolClientId, Token: tokens.RefreshToken }, 'RevokeToken request');
    await expectError(getCurrentUser(), 'UserUnAuthenticatedException', 'getCurrentUser after signOut');
    await expectRawError(
      'GetTokensFromRefreshToken',
      { ClientId: user.userPoolClientId, RefreshToken: tokens.RefreshToken },
      'NotAuthorizedException',
      'the revoked refresh token',
    );
    await expectRawError(
      'GetUser',
      { AccessToken: tokens.AccessToken },
      'NotAuthorizedException',
      'the revoked access token',
    );
    expectStep(
      await signIn({ username: user.username, password: user.password, options: PASSWORD_AUTH }),
      'DONE',
      'signing in again',
    );
    log('signed out locally; tokens revoked');
  },

  async SIGN_OUT_GLOBAL(log) {
    const user = entry('DONE');
    configure(user);
    // Another device of the same user, signed in without Amplify.
    const other = await cognitoCall('InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: user.userPoolClientId,
      AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
    });
    check(other.status === 200 && other.body.AuthenticationResult, 'the other device could not sign in', other);
    const device = other.body.AuthenticationResult;
    expectStep(await signIn({ username: user.username, password: user.password, options: PASSWORD_AUTH }), 'DONE');
    const mine = lastAuthenticationResult();
    const before = exchanges.length;
    await signOut({ global: true });
    const call = succeeded('GlobalSignOut', before);
    equal(call.request, { AccessToken: mine.AccessToken }, 'GlobalSignOut request');
    await expectError(getCurrentUser(), 'UserUnAuthenticatedException', 'getCurrentUser after the global signOut');
    for (const [what, tokens] of [
      ['this device', mine],
      ['the other device', device],
    ]) {
      await expectRawError(
        'GetUser',
        { AccessToken: tokens.AccessToken },
        'NotAuthorizedException',
        `${what}'s access token`,
      );
      await expectRawError(
        'GetTokensFromRefreshToken',
        { ClientId: user.userPoolClientId, RefreshToken: tokens.RefreshToken },
        'NotAuthorizedException',
        `${what}'s refresh token`,
      );
    }
    expectStep(
      await signIn({ username: user.username, password: user.password, options: PASSWORD_AUTH }),
      'DONE',
      'signing in again',
    );
    log('signed out everywhere');
  },

  async DELETE_USER(log) {
    const user = await signedIn();
    const before = exchanges.length;
    await deleteUser();
    succeeded('DeleteUser', before);
    await expectError(getCurrentUser(), 'UserUnAuthenticatedException', 'getCurrentUser after deleteUser');
    await expectError(
      signIn({ username: user.username, password: user.password, options: PASSWORD_AUTH }),
      user.unknownUserError ?? 'NotAuthorizedException',
      'signing in as the deleted user',
    );
    log('deleted');
  },
};

await runScenarios('session.mjs', scenarios);
