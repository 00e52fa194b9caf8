// Package web is soapbridge's dashboard: a browser UI served by
// soapbridge serve at "/", next to the HTTP API.
//
// It is a backend-for-frontend over the gateway's admin API. New returns a
// handler that serves the embedded pages and assets (plain HTML, CSS and
// JavaScript modules under assets/, no CDN and no build step, so it works
// with no internet) and forwards the page's API calls, in process, to the
// gateway's handler:
//
//	GET  /                     the single page
//	GET  /assets/...           its scripts and styles
//	GET  /ui/session           {"authenticated": bool, "csrf": token}
//	POST /ui/login             {"key": "sbk_..."}: an admin key opens a session
//	POST /ui/logout            ends the session
//	     /ui/api/v1/admin/...  forwarded to /v1/admin/... with the session's key
//	GET  /ui/api/v1/services/...  forwarded likewise: a service's OpenAPI
//	                           document and docs page, which the page links to
//
// Contracts:
//
//   - The admin key is sent once, to /ui/login, and validated by calling GET
//     /v1/admin/services through the API (200 means admin). It is then held
//     only in the server-side session; no answer to the page contains it.
//   - Sessions live in memory: random 256-bit ids, an idle timeout and a
//     maximum age, a bounded number. The cookie is HttpOnly,
//     SameSite=Strict, Path=/, and Secure when the browser reaches the
//     dashboard over HTTPS: the request came over TLS, Options.PublicURL
//     is https, or (without a public URL) X-Forwarded-Proto is https.
//     A restart logs everyone out. When the API answers 401 (the key was
//     revoked or expired) the session ends. A followed link (GET with
//     Sec-Fetch-Mode: navigate) under /ui/api/ without a session is
//     redirected to the login instead of answered 401.
//   - Every state-changing request (any method but GET, HEAD and OPTIONS)
//     is refused with 403 unless it passes net/http's cross-origin check
//     (Sec-Fetch-Site, else Origin against Host) and, for a session, carries
//     the session's synchronizer token in X-CSRF-Token (compared in
//     constant time).
//   - Every answer carries a strict Content-Security-Policy (scripts and
//     styles from the page's own origin only, no inline script,
//     frame-ancestors 'none'), X-Content-Type-Options: nosniff,
//     X-Frame-Options: DENY and Referrer-Policy: no-referrer; API answers
//     are not cached. A forwarded answer that sets its own policy keeps it
//     (the gateway's API docs page: no script at all, inline styles).
//
// The package holds no global mutable state: each handler owns its session
// store.
package web
