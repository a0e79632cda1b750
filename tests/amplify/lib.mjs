// Shared helpers of the Amplify JS v6 end-to-end scripts.
//
// The world (endpoint, pools, clients, users) comes from the AMPLIFY_WORLD environment variable (JSON) or
// from the file named by AMPLIFY_WORLD_FILE; test_amplify.py sets it. Every HTTP exchange with the emulator
// is recorded (operation, request, status, response) and printed with the summary when a scenario fails,
// so a failure shows exactly what Amplify sent and what the server answered.
import { readFileSync } from 'node:fs';
import { Amplify } from 'aws-amplify';
import * as OTPAuth from 'otpauth';

// --- recording every request Amplify makes -------------------------------------------------------------
export const exchanges = [];
const realFetch = globalThis.fetch;

globalThis.fetch = async (url, init = {}) => {
  const headers = new Headers(init.headers ?? {});
  const target = headers.get('x-amz-target') ?? '';
  const entry = {
    operation: target.split('.').pop() || `${init.method ?? 'GET'} ${url}`,
    request: parseJson(init.body),
  };
  exchanges.push(entry);
  const started = Date.now();
  const response = await realFetch(url, init);
  entry.ms = Date.now() - started;
  const text = await response.clone().text();
  entry.status = response.status;
  entry.errorType = response.headers.get('x-amzn-errortype') ?? undefined;
  entry.response = parseJson(text);
  return response;
};

function parseJson(text) {
  if (typeof text !== 'string' || text === '') return text ?? null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// --- the world -------------------------------------------------------------------------------------------
let loadedWorld;

/** The world, read once (so that ``--list`` works without one). */
export function world() {
  if (loadedWorld === undefined) {
    if (process.env.AMPLIFY_WORLD) loadedWorld = JSON.parse(process.env.AMPLIFY_WORLD);
    else if (process.env.AMPLIFY_WORLD_FILE)
      loadedWorld = JSON.parse(readFileSync(process.env.AMPLIFY_WORLD_FILE, 'utf8'));
    else throw new Error('set AMPLIFY_WORLD (JSON) or AMPLIFY_WORLD_FILE (a JSON file); see test_amplify.py');
  }
  return loadedWorld;
}

/** The world's entry (pool, client, username, password, ...) for a step or a named role. */
export function entry(name) {
  const found = world().steps?.[name];
  if (!found) throw new Error(`the world has no entry ${name}`);
  return found;
}

/** Point Amplify at one pool and client of the emulator. */
export function configure(user) {
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: user.userPoolId,
        userPoolClientId: user.userPoolClientId,
        userPoolEndpoint: world().endpoint,
      },
    },
  });
}

// --- the emulator's outbox and raw protocol calls -----------------------------------------------------------
/** Messages sent to ``username`` (newest first), from GET /_emulator/messages. */
export async function messages(username, poolId) {
  const query = new URLSearchParams({ username });
  if (poolId) query.set('pool_id', poolId);
  const response = await realFetch(`${world().endpoint}/_emulator/messages?${query}`);
  if (!response.ok) throw new Error(`GET /_emulator/messages answered ${response.status}: ${await response.text()}`);
  return (await response.json()).messages;
}

/** The newest code the emulator sent to ``username``; fails when there is none. */
export async function lastCode(username, poolId) {
  const found = (await messages(username, poolId)).filter((message) => message.code);
  if (found.length === 0) throw new Error(`no code in the outbox for ${username}`);
  return found[0].code;
}

/** A code that is certainly not ``code`` (same length, every digit changed). */
export function wrongCode(code) {
  return [...code].map((digit) => String((Number(digit) + 5) % 10)).join('');
}

/** A raw AWS JSON 1.1 call, as an unsigned client sends it: {status, errorType, body}. */
export async function cognitoCall(operation, body) {
  const response = await realFetch(world().endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(body),
  });
  const parsed = parseJson(await response.text());
  return { status: response.status, errorType: response.headers.get('x-amzn-errortype'), body: parsed };
}

/** The newest AuthenticationResult the server handed to Amplify (to reach the refresh token). */
export function lastAuthenticationResult() {
  for (let i = exchanges.length - 1; i >= 0; i--) {
    const result = exchanges[i].response?.AuthenticationResult;
    if (result) return result;
  }
  throw new Error('the server has not returned tokens yet');
}

// --- TOTP --------------------------------------------------------------------------------------------------
// The emulator accepts the codes of one 30-second step either side of now, and each step only once per user
// (replay protection). A script that needs several codes takes the next unused step, as a phone would a
// moment later, and waits only when it has used up the window.
const lastTotpStep = new Map();

export async function totpCode(secret) {
  const totp = new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret),
    digits: 6,
    period: 30,
    algorithm: 'SHA1',
  });
  const current = Math.floor(Date.now() / 30000);
  const last = lastTotpStep.get(secret);
  let step = last === undefined ? current : Math.max(current, last + 1);
  if (step > current + 1) {
    await new Promise((resolve) => setTimeout(resolve, (step - 1) * 30000 - Date.now() + 50));
    step = Math.max(Math.floor(Date.now() / 30000), last + 1);
  }
  lastTotpStep.set(secret, step);
  return totp.generate({ timestamp: step * 30000 });
}

/** A six-digit code that no step near now produces for ``secret``. */
export function wrongTotpCode(secret) {
  const totp = new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret),
    digits: 6,
    period: 30,
    algorithm: 'SHA1',
  });
  const current = Math.floor(Date.now() / 30000);
  const near = new Set();
  for (let step = current - 3; step <= current + 3; step++) near.add(totp.generate({ timestamp: step * 30000 }));
  for (let candidate = 123456; ; candidate = (candidate + 111111) % 1000000) {
    const code = String(candidate).padStart(6, '0');
    if (!near.has(code)) return code;
  }
}

// --- assertions --------------------------------------------------------------------------------------------
export class Failure extends Error {
  name = 'AssertionFailure';
}

export function check(condition, message, details) {
  if (!condition) throw new Failure(details === undefined ? message : `${message}: ${JSON.stringify(details)}`);
}

export function equal(actual, expected, what) {
  check(
    JSON.stringify(actual) === JSON.stringify(expected),
    `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
  );
}

/** A sign-in output at ``step`` (and signed in exactly when the step is DONE). */
export function expectStep(output, step, what = 'nextStep.signInStep') {
  equal(output?.nextStep?.signInStep, step, what);
  equal(output.isSignedIn, step === 'DONE', `isSignedIn at ${step}`);
  return output;
}

/** ``promise`` must reject with an error of ``name`` (as Amplify reports it); returns the error. */
export async function expectError(promise, name, what) {
  let result;
  try {
    result = await promise;
  } catch (error) {
    check(error?.name === name, `${what}: expected ${name}, got ${error?.name}: ${error?.message}`);
    return error;
  }
  throw new Failure(`${what}: expected ${name}, but it succeeded with ${JSON.stringify(result)}`);
}

/** The claims of a JWT (no signature check: Amplify does none either). */
export function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

// --- running scenarios -------------------------------------------------------------------------------------
/**
 * Run the scenarios named on the command line (``--list`` prints the names), print a JSON summary and exit:
 * 0 when every scenario passed. A scenario is an async function that gets a ``log`` function for its notes
 * and throws on failure. Scenarios change the world (passwords, MFA, deleted users), so each one expects a
 * fresh world: test_amplify.py runs one scenario per process and resets the emulator in between.
 */
export async function runScenarios(script, scenarios) {
  const names = process.argv.slice(2);
  if (names.length === 0 || names.includes('--list')) {
    process.stdout.write(`${JSON.stringify(Object.keys(scenarios))}\n`);
    process.exit(names.length === 0 ? 2 : 0);
  }
  const results = [];
  let failed = false;
  for (const name of names) {
    const scenario = scenarios[name];
    const notes = [];
    const started = Date.now();
    const firstExchange = exchanges.length;
    if (!scenario) {
      results.push({ scenario: name, ok: false, error: `no scenario ${name} in ${script}` });
      failed = true;
      continue;
    }
    try {
      await scenario((note) => notes.push(note));
      const trace = process.env.AMPLIFY_TRACE ? { exchanges: exchanges.slice(firstExchange) } : {};
      results.push({ scenario: name, ok: true, ms: Date.now() - started, notes, ...trace });
    } catch (error) {
      failed = true;
      results.push({
        scenario: name,
        ok: false,
        ms: Date.now() - started,
        notes,
        error: `${error?.name}: ${error?.message}`,
        stack: error instanceof Failure ? undefined : error?.stack,
        underlying: error?.underlyingError ? String(error.underlyingError) : undefined,
        exchanges: exchanges.slice(firstExchange),
      });
    }
  }
  process.stdout.write(`${JSON.stringify({ script, ok: !failed, results }, null, 2)}\n`);
  // autoSignIn leaves a 3-minute timer alive, and Amplify keeps others: end the process explicitly.
  process.exit(failed ? 1 : 0);
}
