// The Amplify JS v6 web app of the remembered-device browser test (tests/amplify/test_browser_devices.py):
// bundled with esbuild and run in Chromium from http://localhost:<port>, where Amplify has `navigator` (so it
// confirms the device after signing in) and keeps its tokens and device in localStorage, as in a real app.
// Every step is a function on `window` that the test calls in turn; each returns what Amplify answered, and
// `window.trace()` the requests Amplify made (operation, ChallengeName, AuthFlow, whether a DEVICE_KEY went
// with it, the error type of the answer).
import { Amplify } from 'aws-amplify';
import {
  confirmSignIn,
  fetchAuthSession,
  fetchDevices,
  forgetDevice,
  rememberDevice,
  signIn,
  signOut,
} from 'aws-amplify/auth';

const calls = [];
const realFetch = window.fetch.bind(window);
window.fetch = async (url, init = {}) => {
  const headers = new Headers(init.headers ?? {});
  const target = headers.get('x-amz-target');
  let body = {};
  try {
    body = JSON.parse(init.body ?? '{}');
  } catch {
    body = {};
  }
  const response = await realFetch(url, init);
  if (target) {
    const answer = await response.clone().json().catch(() => ({}));
    const sent = { ...(body.AuthParameters ?? {}), ...(body.ChallengeResponses ?? {}) };
    calls.push({
      operation: target.split('.').pop(),
      challenge: body.ChallengeName ?? null,
      flow: body.AuthFlow ?? null,
      deviceKey: sent.DEVICE_KEY ?? body.DeviceKey ?? null,
      status: response.status,
      error: response.headers.get('x-amzn-errortype'),
      next: answer.ChallengeName ?? null,
      newDevice: Boolean(answer.AuthenticationResult?.NewDeviceMetadata),
    });
  }
  return response;
};

let settings;

async function latestCode() {
  const query = new URLSearchParams({ username: settings.username, pool_id: settings.userPoolId });
  const { messages } = await (await realFetch(`${settings.endpoint}/_emulator/messages?${query}`)).json();
  const found = messages.find((message) => message.code);
  if (!found) throw new Error('no code in the outbox');
  return found.code;
}

function failure(error) {
  return { error: error?.name ?? String(error), message: error?.message ?? null };
}

window.setUp = (given) => {
  settings = given;
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: given.userPoolId,
        userPoolClientId: given.userPoolClientId,
        userPoolEndpoint: given.endpoint,
      },
    },
  });
  return true;
};

window.trace = () => calls.splice(0, calls.length);

// Sign in with the password; an email code is answered from the outbox. The steps Amplify reported.
window.signInWithMfaIfAsked = async (authFlowType) => {
  try {
    const steps = [];
    const options = authFlowType ? { authFlowType } : undefined;
    let result = await signIn({ username: settings.username, password: settings.password, options });
    steps.push(result.nextStep.signInStep);
    if (result.nextStep.signInStep === 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE') {
      result = await confirmSignIn({ challengeResponse: await latestCode() });
      steps.push(result.nextStep.signInStep);
    }
    const session = await fetchAuthSession();
    return { steps, deviceKeyClaim: session.tokens?.accessToken?.payload?.device_key ?? null };
  } catch (error) {
    return failure(error);
  }
};

// New tokens from the refresh token (Amplify sends its device key with it).
window.refresh = async () => {
  try {
    const session = await fetchAuthSession({ forceRefresh: true });
    return { deviceKeyClaim: session.tokens?.accessToken?.payload?.device_key ?? null };
  } catch (error) {
    return failure(error);
  }
};

window.storedDevice = () => {
  const prefix = `CognitoIdentityServiceProvider.${settings.userPoolClientId}.${settings.username}.`;
  return {
    deviceKey: localStorage.getItem(`${prefix}deviceKey`),
    deviceGroupKey: localStorage.getItem(`${prefix}deviceGroupKey`),
    randomPasswordKey: Boolean(localStorage.getItem(`${prefix}randomPasswordKey`)),
  };
};

window.remember = async () => {
  try {
    await rememberDevice();
    return true;
  } catch (error) {
    return failure(error);
  }
};

window.devices = async () => {
  try {
    return (await fetchDevices()).map((device) => ({ id: device.id, name: device.name ?? null }));
  } catch (error) {
    return failure(error);
  }
};

window.forget = async () => {
  try {
    await forgetDevice();
    return true;
  } catch (error) {
    return failure(error);
  }
};

window.signOutHere = async () => {
  await signOut();
  return true;
};
