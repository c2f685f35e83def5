// Package zohotest is an in-memory emulator of Zoho Accounts, the OAuth 2.0
// server behind every Zoho product, served over real HTTP on loopback.
//
// It reproduces what Zoho documents (and what public code shows Zoho really
// answers) closely enough that an OAuth client can be tested against it
// instead of against Zoho: the token endpoint with its three grants
// (authorization_code, refresh_token, client_credentials), revocation, a
// protected API call (CRM's current-user endpoint), one isolated accounts
// host per data center, single-use grant codes with a short lifetime, and
// Zoho's limits: the per-refresh-token mint throttle, the cap on live access
// tokens, the cap on refresh tokens per user and client, and the cap on grant
// codes per client. Grant and credential errors come back the way Zoho sends
// them, HTTP 200 with {"error":"<code>"}, so a client that trusts the status
// code fails here as it would in production.
//
// Tests drive it through Go methods (register clients, issue grant codes as
// the API Console's "Generate Code" button would, move a clock, inject
// outages) and read back what happened (counters, recorded requests, whether
// a token is still live). cmd/zoho-emulator runs the same emulator as a
// program for people and for the demo.
//
// Where Zoho's answer is undocumented (and was learned from what public code
// shows Zoho really sends), the code says so at that spot.
package zohotest
