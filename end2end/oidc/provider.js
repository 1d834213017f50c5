#!/usr/bin/env node
// A real OpenID Connect provider for Kring's tests (npm's oidc-provider),
// on loopback. One client; anyone signs in by typing an e-mail address on
// a small page (a plain form: keyboard and screen reader fine, no script).
//
//   node end2end/oidc/provider.js --port 0 \
//     --redirect-uri http://127.0.0.1:3000/sign-in/sso/test/callback \
//     --post-logout-uri http://127.0.0.1:3000/signed-out \
//     [--client-id kring] [--client-secret geheim] \
//     [--tamper expired|future|skewed|bad-signature|audience|stale-auth] [--unverified-email]
//
// When it listens it prints one JSON line: {"issuer": "http://127.0.0.1:PORT", ...}.
// --tamper re-signs every ID token like a broken or hostile provider would:
//   expired        exp 5 minutes ago (beyond any clock skew)
//   future         issued 10 minutes in the future
//   skewed         issued 30 seconds in the future (a small, acceptable skew)
//   bad-signature  signed by a stranger's key under the published key id
//   audience       issued to another client
//   stale-auth     says the person signed in an hour ago (auth_time), as a
//                  provider that ignores prompt=login and max_age would
// --unverified-email says email_verified=false.

import crypto from 'node:crypto';
import net from 'node:net';
import Provider from 'oidc-provider';

function parseArgs(argv) {
  const out = { redirectUris: [], postLogoutUris: [], port: 0, clientId: 'kring', clientSecret: 'kring-test-secret', tamper: null, unverified: false };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const value = () => {
      i += 1;
      if (i >= argv.length) throw new Error(`${a} needs a value`);
      return argv[i];
    };
    switch (a) {
      case '--port': out.port = Number(value()); break;
      case '--redirect-uri': out.redirectUris.push(value()); break;
      case '--post-logout-uri': out.postLogoutUris.push(value()); break;
      case '--client-id': out.clientId = value(); break;
      case '--client-secret': out.clientSecret = value(); break;
      case '--tamper': out.tamper = value(); break;
      case '--unverified-email': out.unverified = true; break;
      default: throw new Error(`unknown flag ${a}`);
    }
  }
  const modes = [null, 'expired', 'future', 'skewed', 'bad-signature', 'audience', 'stale-auth'];
  if (!modes.includes(out.tamper)) throw new Error(`unknown --tamper ${out.tamper}`);
  if (out.redirectUris.length === 0) throw new Error('--redirect-uri is required');
  return out;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const fromB64url = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

function sign(header, payload, privateKey) {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const sig = crypto.sign('sha256', Buffer.from(input), privateKey);
  return `${input}.${b64url(sig)}`;
}

/** Re-signs an ID token the way `mode` says. */
function tamper(idToken, mode, ownKey, strangerKey) {
  const [h, p] = idToken.split('.');
  const header = fromB64url(h);
  const payload = fromB64url(p);
  const now = Math.floor(Date.now() / 1000);
  let key = ownKey;
  switch (mode) {
    case 'expired': payload.iat = now - 600; payload.exp = now - 300; break;
    case 'future': payload.iat = now + 600; payload.exp = now + 1200; break;
    case 'skewed': payload.iat = now + 30; payload.exp = now + 630; break;
    case 'bad-signature': key = strangerKey; break;
    case 'audience': payload.aud = 'someone-else'; break;
    case 'stale-auth': payload.auth_time = now - 3600; break;
    default: return idToken;
  }
  return sign(header, payload, key);
}

function page(title, body) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title></head>
<body><main><h1>${title}</h1>${body}</main></body></html>`;
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const port = args.port || await freePort();
  const issuer = `http://127.0.0.1:${port}`;

  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stranger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'kring-test-1', alg: 'RS256', use: 'sig' };

  const configuration = {
    clients: [{
      client_id: args.clientId,
      client_secret: args.clientSecret,
      redirect_uris: args.redirectUris,
      post_logout_redirect_uris: args.postLogoutUris,
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [jwk] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // The e-mail and name in the ID token itself (Kring reads no userinfo).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true },
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    // No consent step: the test client is trusted with openid, email, profile.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    async findAccount(ctx, id) {
      return {
        accountId: id,
        async claims() {
          const local = id.split('@')[0];
          const name = local.split(/[._-]/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join(' ');
          return { sub: `sub-${id}`, email: id, email_verified: !args.unverified, name };
        },
      };
    },
    ttl: { Session: 600, Interaction: 600, Grant: 600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
  };

  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (ctx, err) => process.stderr.write(`server_error: ${err.stack}\n`));

  // The sign-in page: an address, a button.
  provider.use(async (ctx, next) => {
    const m = ctx.path.match(/^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/);
    if (!m) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (m[2] && ctx.method === 'POST') {
      const form = await readForm(ctx.req);
      const email = (form.get('email') || '').trim().toLowerCase();
      if (!email.includes('@')) {
        ctx.status = 400;
        ctx.type = 'html';
        ctx.body = page('Sign in', '<p role="alert">Type an e-mail address.</p>');
        return undefined;
      }
      const to = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: email } }, { mergeWithLastSubmission: false });
      ctx.status = 303;
      ctx.redirect(to);
      return undefined;
    }
    if (m[2] && ctx.method === 'GET') {
      ctx.redirect(`/interaction/${details.uid}`);
      return undefined;
    }
    // Cancel (the person says no): error=access_denied back to the client.
    if (ctx.query.cancel !== undefined) {
      const to = await provider.interactionResult(ctx.req, ctx.res, { error: 'access_denied', error_description: 'cancelled' }, { mergeWithLastSubmission: false });
      ctx.redirect(to);
      return undefined;
    }
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = page('Test provider: sign in', `
<form method="post" action="/interaction/${escape(details.uid)}/login">
  <label for="email">E-mail address</label>
  <input id="email" name="email" type="email" autocomplete="username" required autofocus>
  <button type="submit">Sign in</button>
</form>
<p><a href="/interaction/${escape(details.uid)}?cancel=1">Cancel</a></p>`);
    return undefined;
  });

  // ID tokens re-signed like a broken or hostile provider (--tamper).
  provider.use(async (ctx, next) => {
    await next();
    if (args.tamper && ctx.path === '/token' && ctx.body && typeof ctx.body === 'object' && ctx.body.id_token) {
      ctx.body = { ...ctx.body, id_token: tamper(ctx.body.id_token, args.tamper, privateKey, stranger) };
    }
  });

  const server = provider.listen(port, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ issuer, client_id: args.clientId, client_secret: args.clientSecret })}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
