// signInWithRedirect() on plain Node through Amplify's authSessionOpener option (tests/amplify/test_redirect_node.py).
//
// The opener gets the authorize URL (https://<oauth.domain>/oauth2/authorize?...) and does what a person does in a
// browser, with fetch and a cookie jar: it opens the login page, posts the form (username and password, then the
// TOTP code when the page asks for one) and follows the redirects until one goes back to the app; it returns that
// URL, and Amplify exchanges the code at https://<oauth.domain>/oauth2/token itself. The emulator's certificate is
// trusted through NODE_EXTRA_CA_CERTS, as the README tells a developer to do. signOut() then navigates to
// https://<oauth.domain>/logout (window.location.href, stubbed here), which the script follows back to the app with
// the same cookie jar; the next signInWithRedirect shows the login page again.
//
// REDIRECT_WORLD (JSON): userPoolId, userPoolClientId, userPoolEndpoint, domain, redirect, scopes,
// first / second (optional): {username, password, totpSecret?}. Or, for an app configured from
// amplify_outputs.json: outputs (its path), httpsHost (localhost:<port>), userPoolEndpoint, redirect, first.
// Prints one JSON line.
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, fetchUserAttributes, getCurrentUser, signInWithRedirect, signOut } from 'aws-amplify/auth';
import * as OTPAuth from 'otpauth';
import { readFileSync } from 'node:fs';

const world = JSON.parse(process.env.REDIRECT_WORLD);
const app = new URL(world.redirect);
const navigations = [];
// A window without a document: isBrowser() stays false (no in-flight flag, no listener on load), but
// getRedirectUrl finds the app's origin and signOut() can "navigate" to the logout endpoint.
globalThis.window = {
  location: {
    origin: app.origin,
    pathname: app.pathname,
    hostname: app.hostname,
    get href() {
      return navigations.at(-1) ?? world.redirect;
    },
    set href(url) {
      navigations.push(url);
    },
  },
  addEventListener() {},
  removeEventListener() {},
};

// --- a browser's cookie jar and form posts, with fetch ---------------------------------------------------
const jar = new Map(); // name -> value, for the emulator's domain (one host in this test)
function keepCookies(response) {
  for (const header of response.headers.getSetCookie()) {
    const [pair, ...attributes] = header.split(';').map((part) => part.trim());
    const [name, ...rest] = pair.split('=');
    const expired = attributes.some(
      (attribute) => /^max-age=0$/i.test(attribute) || (/^expires=/i.test(attribute) && Date.parse(attribute.slice(8)) < Date.now()),
    );
    if (expired) jar.delete(name);
    else jar.set(name, rest.join('='));
  }
}
const cookieHeader = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');

const unescape = (text) =>
  text.replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const attributesOf = (tag) =>
  Object.fromEntries([...tag.matchAll(/([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)].map((m) => [m[1].toLowerCase(), unescape(m[2] ?? m[3])]));

function formsOf(page, base) {
  return [...page.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map(([, formTag, body]) => {
    const fields = {};
    const codes = [];
    let submit = null;
    for (const [tag] of body.matchAll(/<input\b[^>]*>/gi)) {
      const attrs = attributesOf(tag);
      if (!attrs.name) continue;
      const type = (attrs.type ?? 'text').toLowerCase();
      if (type === 'submit') submit ??= [attrs.name, attrs.value ?? ''];
      else if (!['checkbox', 'radio'].includes(type) || /\bchecked\b/i.test(tag)) fields[attrs.name] = attrs.value ?? '';
      if (tag.includes('one-time-code')) codes.push(attrs.name);
    }
    return { action: new URL(attributesOf(formTag).action || base, base).href, fields, codes, submit };
  });
}

/** Follow ``url`` like a browser until a redirect goes to ``backTo``; fill every form that asks for a known
 * field. Returns {url, pages}: the URL back at the app and the pages seen on the way. */
async function browse(url, answers, backTo) {
  let method = 'GET';
  let body;
  const pages = [];
  for (let step = 0; step < 12; step += 1) {
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        cookie: cookieHeader(),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body,
    });
    keepCookies(response);
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get('location'), url).href;
      method = 'GET';
      body = undefined;
      if (url.startsWith(backTo)) return { url, pages };
      continue;
    }
    const text = await response.text();
    pages.push({ url, status: response.status, login: /name="username"/.test(text) && /name="password"/.test(text) });
    if (response.status !== 200) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 500)}`);
    const form = formsOf(text, url).find(
      (candidate) => Object.keys(candidate.fields).some((name) => name in answers) || (candidate.codes.length && answers.code),
    );
    if (!form) throw new Error(`${url} asks for nothing this script knows: ${text.slice(0, 1500)}`);
    const data = { ...form.fields };
    for (const name of Object.keys(form.fields)) {
      const answer = answers[name] ?? (form.codes.includes(name) ? answers.code : undefined);
      if (answer !== undefined) data[name] = typeof answer === 'function' ? answer() : answer;
    }
    if (form.submit) data[form.submit[0]] = form.submit[1];
    body = new URLSearchParams(data).toString();
    url = form.action;
    method = 'POST';
  }
  throw new Error(`no redirect back to ${backTo}: ${JSON.stringify(pages)}`);
}

const totp = (secret) => () => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate();
const answersFor = (user) => ({
  username: user.username,
  password: user.password,
  ...(user.totpSecret ? { code: totp(user.totpSecret) } : {}),
});

// --- the app ----------------------------------------------------------------------------------------------
if (world.outputs) {
  // An Amplify Gen 2 app: configured from amplify_outputs.json, then the README's changes (the emulator's
  // endpoint, no identity pool, and oauth.domain on the emulator instead of <prefix>.auth.<region>.amazoncognito.com).
  Amplify.configure(JSON.parse(readFileSync(world.outputs, 'utf8')));
  const config = Amplify.getConfig();
  const { identityPoolId, identityPoolEndpoint, allowGuestAccess, ...userPool } = config.Auth.Cognito;
  const oauth = userPool.loginWith?.oauth;
  Amplify.configure({
    ...config,
    Auth: {
      Cognito: {
        ...userPool,
        userPoolEndpoint: world.userPoolEndpoint,
        loginWith: {
          ...userPool.loginWith,
          ...(oauth && { oauth: { ...oauth, domain: `${world.httpsHost}/${oauth.domain.split('.')[0]}` } }),
        },
      },
    },
  });
  const configured = Amplify.getConfig().Auth.Cognito;
  world.userPoolId = configured.userPoolId;
  world.userPoolClientId = configured.userPoolClientId;
  world.domain = configured.loginWith.oauth.domain;
  world.scopes = configured.loginWith.oauth.scopes;
} else {
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: world.userPoolId,
        userPoolClientId: world.userPoolClientId,
        userPoolEndpoint: world.userPoolEndpoint,
        loginWith: {
          oauth: {
            domain: world.domain,
            scopes: world.scopes,
            redirectSignIn: [world.redirect],
            redirectSignOut: [world.redirect],
            responseType: 'code',
          },
        },
      },
    },
  });
}

async function signInAs(user) {
  const seen = {};
  await signInWithRedirect({
    options: {
      authSessionOpener: async (authorizeUrl, redirectSignIn) => {
        seen.authorize = authorizeUrl;
        const { url, pages } = await browse(authorizeUrl, answersFor(user), redirectSignIn[0]);
        seen.pages = pages;
        seen.back = url;
        return { type: 'success', url };
      },
    },
  });
  const current = await getCurrentUser();
  const attributes = await fetchUserAttributes();
  const session = await fetchAuthSession();
  const refreshed = await fetchAuthSession({ forceRefresh: true });
  return {
    authorize: Object.fromEntries(new URL(seen.authorize).searchParams),
    authorizeOrigin: new URL(seen.authorize).origin + new URL(seen.authorize).pathname,
    pages: seen.pages,
    back: Object.fromEntries(new URL(seen.back).searchParams),
    user: { username: current.username, userId: current.userId },
    attributes,
    access: session.tokens.accessToken.payload,
    id: session.tokens.idToken.payload,
    refreshedAccess: refreshed.tokens.accessToken.payload,
    refreshedId: refreshed.tokens.idToken.payload,
  };
}

/** The domain session's cookie, used as a browser would: an authorize for the same client answers at once. */
async function authorizeWithTheSession() {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: world.userPoolClientId,
    redirect_uri: world.redirect,
    scope: world.scopes.join(' '),
    state: 'session-check',
  });
  const response = await fetch(`https://${world.domain}/oauth2/authorize?${query}`, {
    redirect: 'manual',
    headers: { cookie: cookieHeader() },
  });
  keepCookies(response);
  const location = response.headers.get('location') ?? '';
  return { status: response.status, backWithCode: location.startsWith(world.redirect) && /[?&]code=/.test(location) };
}

async function main() {
  const report = {};
  report.first = await signInAs(world.first);
  report.sessionCookie = await authorizeWithTheSession();
  await signOut();
  report.signOutNavigations = [...navigations];
  const logout = navigations.find((url) => url.startsWith(`https://${world.domain}/logout`));
  report.logout = logout ? await browse(logout, {}, world.redirect) : null;
  report.afterLogout = await authorizeWithTheSession();
  report.signedInAfterSignOut = await getCurrentUser().then(() => true, () => false);
  if (world.second) report.second = await signInAs(world.second);
  console.log(JSON.stringify(report));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error?.stack ?? error);
    if (error?.cause) console.error('cause:', error.cause?.code ?? '', error.cause?.message ?? error.cause);
    process.exit(1);
  },
);
