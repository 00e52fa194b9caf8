#!/usr/bin/env bash
# Runs soapbridge's tests: the README's test command, and what .ci/run runs.
#
# 1. Installs the Debian test peers when one is missing: php with the soap
#    extension, python3-zeep (importable from /usr/bin/python3), xmllint,
#    chromium (for the dashboard's browser tests), Apache with
#    mod_auth_gssapi and gss-ntlmssp (NTLM and Kerberos upstreams), an MIT
#    KDC (krb5-kdc, krb5-admin-server) and xmlsec1 (XML signatures)
#    (apt-get as root, or through sudo; otherwise it says what to install).
# 2. Installs the node peers (every test/peers/*/package-lock.json: node-soap,
#    the OpenAPI client generator) with npm ci when node_modules is missing
#    or older than package-lock.json (Debian's nodejs npm are installed
#    first only when there is no node at all).
# 3. Runs go test -count=1 with the given arguments, or ./... when none
#    names a package: ./scripts/test.sh -run Conformance ./internal/wsdl
#
# Install output goes to a log under ${TMPDIR:-/tmp}, shown only when a step
# fails. A failed install does not stop the run: tests that need the missing
# peer then skip, or fail under CI=true (see internal/testpeer).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

apt_packages=(php-cli php-soap python3-zeep libxml2-utils chromium
	apache2 libapache2-mod-auth-gssapi gss-ntlmssp krb5-kdc krb5-admin-server xmlsec1)
log="$(mktemp "${TMPDIR:-/tmp}/soapbridge-test-install.XXXXXX.log")"
install_failed=0

say() { printf 'scripts/test.sh: %s\n' "$*" >&2; }

# as_root runs a command as root: directly, through sudo, or not at all.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		return 127
	fi
}

can_be_root() { [ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null 2>&1; }

# show_log prints the install log after a failed step.
show_log() {
	say "$1 failed; its log ($log) follows:"
	sed 's/^/  | /' "$log" >&2
	install_failed=1
}

apt_updated=0
apt_install() {
	if [ "$apt_updated" -eq 0 ]; then
		as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update >>"$log" 2>&1 || return 1
		apt_updated=1
	fi
	as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
		install -y --no-install-recommends "$@" >>"$log" 2>&1
}

have_php_soap() { command -v php >/dev/null 2>&1 && grep -qix soap <<<"$(php -m 2>/dev/null)"; }
have_zeep() {
	{ [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import zeep' >/dev/null 2>&1; } ||
		python3 -c 'import zeep' >/dev/null 2>&1
}
have_xmllint() { command -v xmllint >/dev/null 2>&1; }
have_chromium() { [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; }
have_apache_gssapi() { [ -x /usr/sbin/apache2 ] && [ -f /usr/lib/apache2/modules/mod_auth_gssapi.so ]; }
have_ntlmssp() { compgen -G '/usr/lib/*/gssntlmssp/gssntlmssp.so' >/dev/null; }
have_kdc() { [ -x /usr/sbin/krb5kdc ] && [ -x /usr/sbin/kdb5_util ] && [ -x /usr/sbin/kadmin.local ]; }
have_xmlsec1() { command -v xmlsec1 >/dev/null 2>&1; }

missing_peers() {
	local m=()
	have_php_soap || m+=("php with the soap extension")
	have_zeep || m+=("python3-zeep")
	have_xmllint || m+=("xmllint")
	have_chromium || m+=("chromium")
	have_apache_gssapi || m+=("apache2 with mod_auth_gssapi")
	have_ntlmssp || m+=("gss-ntlmssp")
	have_kdc || m+=("an MIT KDC")
	have_xmlsec1 || m+=("xmlsec1")
	if [ "${#m[@]}" -gt 0 ]; then
		local IFS=,
		printf '%s' "${m[*]}"
	fi
}

# 1. Debian peers.
missing="$(missing_peers)"
if [ -n "$missing" ]; then
	if can_be_root; then
		if ! apt_install "${apt_packages[@]}"; then
			show_log "apt-get install ${apt_packages[*]}"
		fi
		missing="$(missing_peers)"
		[ -z "$missing" ] || say "still missing after apt-get: $missing"
	else
		say "missing test peers ($missing) and no root or sudo to install them;" \
			"install with: apt-get install ${apt_packages[*]}." \
			"Tests that need them skip (or fail under CI=true)."
	fi
fi

# 2. Node peers.
for lock in test/peers/*/package-lock.json; do
	[ -f "$lock" ] || continue
	node_dir="$(dirname "$lock")"
	stamp="$node_dir/node_modules/.package-lock.json"
	if [ -f "$stamp" ] && [ ! "$lock" -nt "$stamp" ]; then
		continue
	fi
	if ! command -v node >/dev/null 2>&1; then
		if can_be_root; then
			apt_install nodejs npm || show_log "apt-get install nodejs npm"
		else
			say "no node; install with: apt-get install nodejs npm"
		fi
	fi
	if command -v npm >/dev/null 2>&1; then
		if ! (cd "$node_dir" && npm ci --no-audit --no-fund) >>"$log" 2>&1; then
			show_log "npm ci in $node_dir"
		fi
	else
		say "no npm; $node_dir not installed: run (cd $node_dir && npm ci)." \
			"Tests that need it skip (or fail under CI=true)."
	fi
done

[ "$install_failed" -eq 1 ] || rm -f "$log"

# 3. go test. With no argument that names packages, test ./... .
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	PATH="$PATH:/usr/local/go/bin"
fi
names_package=0
for arg in "$@"; do
	case "$arg" in
	./* | ../* | *...* | github.com/*) names_package=1 ;;
	esac
done
[ "$names_package" -eq 1 ] || set -- "$@" ./...
exec go test -count=1 "$@"
