#!/usr/bin/env bash
# Measures what soapbridge adds to a SOAP call, in one run on one machine.
# wrk calls a fast SOAP upstream three ways, alternating for LOAD_ROUNDS
# rounds:
#   direct   the SOAP envelope, to the upstream itself;
#   proxy    the same envelope through a plain Go reverse proxy
#            (test/load/proxy): what any HTTP hop costs here;
#   gateway  the REST JSON call through `soapbridge serve` with X-API-Key
#            (key check, validation, encoding, the upstream call, decoding,
#            the log line and the call log).
# Throughput is measured with LOAD_CONNECTIONS connections (the CPUs
# saturated), latency with one connection (nothing queued), and it prints
# the gateway's throughput as a ratio of direct and of proxy, and its p50
# and p99 latency overhead over direct. It also prints the CPU time the
# proxy and the gateway process each spend per call under load (from
# /proc, user + system): unlike throughput, other work on the machine
# hardly changes it, so gateway/proxy CPU per call is the steadiest
# measure of what the gateway adds to a bare HTTP hop.
#
#   ./scripts/load.sh                      # 2 rounds of 10 s, 16 connections
#   LOAD_DURATION=30s LOAD_CONNECTIONS=64 LOAD_ROUNDS=3 ./scripts/load.sh
#
# The upstream (test/load/upstream) answers every call with the same
# 10-item GetItems response of examples/inventory. wrk is installed with
# apt-get when missing. Everything runs on loopback: on a small machine
# wrk, the gateway and the upstream share the CPUs, so compare the ratios,
# not the absolute figures.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

duration="${LOAD_DURATION:-10s}"
conns="${LOAD_CONNECTIONS:-16}"
rounds="${LOAD_ROUNDS:-2}"
threads="${LOAD_THREADS:-1}"

say() { printf 'scripts/load.sh: %s\n' "$*" >&2; }

if ! command -v wrk >/dev/null 2>&1; then
	say "installing wrk"
	if [ "$(id -u)" -eq 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null
	else
		sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null
	fi
fi
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	PATH="$PATH:/usr/local/go/bin"
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/soapbridge-load.XXXXXX")"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/soapbridge" ./cmd/soapbridge
go build -o "$tmp/upstream" ./test/load/upstream
go build -o "$tmp/proxy" ./test/load/proxy
up_port="$("$tmp/upstream" -free-port)"
px_port="$("$tmp/upstream" -free-port)"
gw_port="$("$tmp/upstream" -free-port)"
up="http://127.0.0.1:$up_port"
px="http://127.0.0.1:$px_port"
gw="http://127.0.0.1:$gw_port"

"$tmp/upstream" -addr "127.0.0.1:$up_port" &
up_pid=$!
pids+=($!)
"$tmp/proxy" -addr "127.0.0.1:$px_port" -to "$up" 2>"$tmp/proxy.log" &
px_pid=$!
pids+=($!)
"$tmp/soapbridge" serve --addr "127.0.0.1:$gw_port" --data "$tmp/data" --log-format json 2>"$tmp/gateway.log" &
gw_pid=$!
pids+=($!)

wait_up() {
	for _ in $(seq 100); do
		if curl -s -o /dev/null "$1"; then return 0; fi
		sleep 0.1
	done
	say "$1 does not answer"
	cat "$tmp/gateway.log" >&2
	exit 1
}
wait_up "$up/"
wait_up "$px/"
wait_up "$gw/healthz"

admin="$(cat "$tmp/data/admin.key")"
curl -sf -o /dev/null -H "X-API-Key: $admin" -F name=inventory \
	-F wsdl=@examples/inventory/inventory.wsdl -F xsd=@examples/inventory/inventory.xsd \
	"$gw/v1/admin/services"
curl -sf -o /dev/null -X PUT -H "X-API-Key: $admin" -H 'Content-Type: application/json' \
	-d "{\"type\": \"none\", \"endpoint\": \"$up/soap\"}" "$gw/v1/admin/services/inventory/auth"
key="$(curl -sf -H "X-API-Key: $admin" -H 'Content-Type: application/json' \
	-d '{"name": "load", "services": ["inventory"]}' "$gw/v1/admin/keys" |
	sed -n 's/.*"key": *"\([^"]*\)".*/\1/p')"
[ -n "$key" ] || { say "could not create an API key"; exit 1; }

json='{"skuPrefix": "A-", "limit": 10}'
envelope='<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><GetItems xmlns="urn:example:inventory"><skuPrefix>A-</skuPrefix><limit>10</limit></GetItems></soapenv:Body></soapenv:Envelope>'

# Both calls are checked once before the load: the gateway's answer must
# be the decoded items.
out="$(curl -sf -H "X-API-Key: $key" -H 'Content-Type: application/json' -d "$json" "$gw/v1/services/inventory/GetItems")"
case "$out" in
*'"sku":"A-9"'* | *'"sku": "A-9"'*) ;;
*) say "unexpected gateway answer: $out"; exit 1 ;;
esac

cat >"$tmp/direct.lua" <<LUA
wrk.method = "POST"
wrk.body = [[$envelope]]
wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
wrk.headers["SOAPAction"] = '"urn:example:inventory/GetItems"'
LUA
cat >"$tmp/gateway.lua" <<LUA
wrk.method = "POST"
wrk.body = [[$json]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "$key"
LUA

# cpu_ticks PID prints the user + system CPU time of a process, in clock
# ticks.
cpu_ticks() {
	if [ -r "/proc/$1/stat" ]; then
		sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
	else
		echo 0
	fi
}
tick_us=$((1000000 / $(getconf CLK_TCK)))

# run NAME URL CONNECTIONS [PID] prints "rps p50_ms p99_ms cpu_us" of one
# wrk run, cpu_us being PID's CPU time per request (0 without PID), and
# fails on errors or non-2xx answers.
run() {
	local out t0 t1
	t0="$(cpu_ticks "${4:-0}")"
	out="$(wrk -t"$threads" -c"$3" -d"$duration" --latency -s "$tmp/$1.lua" "$2")"
	t1="$(cpu_ticks "${4:-0}")"
	if grep -q -e 'Non-2xx' -e 'Socket errors' <<<"$out"; then
		say "$1: errors under load:"
		printf '%s\n' "$out" >&2
		exit 1
	fi
	awk '
	function ms(v) {
		if (v ~ /us$/) return substr(v, 1, length(v)-2) / 1000
		if (v ~ /ms$/) return substr(v, 1, length(v)-2) + 0
		if (v ~ /s$/) return substr(v, 1, length(v)-1) * 1000
		return v
	}
	$1 == "50%" { p50 = ms($2) }
	$1 == "99%" { p99 = ms($2) }
	$1 == "Requests/sec:" { rps = $2 }
	/requests in/ { n = $1 }
	END { printf "%.0f %.3f %.3f %.1f\n", rps, p50, p99, (n > 0 ? ('"$t1"' - '"$t0"') * '"$tick_us"' / n : 0) }' <<<"$out"
}

say "wrk -t$threads -d$duration, $rounds rounds; throughput with $conns connections, latency with 1"
wrk -t1 -c4 -d2s -s "$tmp/gateway.lua" "$gw/v1/services/inventory/GetItems" >/dev/null # warm up
row() { printf '%-6s %-8s %-6s %10s %9s %9s %9s\n' "$@"; }
row round path conns 'req/s' 'p50 ms' 'p99 ms' 'cpu µs'
results=()
for r in $(seq "$rounds"); do
	line="$r"
	for c in "$conns" 1; do
		read -r d_rps d_p50 d_p99 d_cpu < <(run direct "$up/soap" "$c" "$up_pid")
		row "$r" direct "$c" "$d_rps" "$d_p50" "$d_p99" "$d_cpu"
		if [ "$c" != 1 ]; then
			read -r p_rps p_p50 p_p99 p_cpu < <(run direct "$px/soap" "$c" "$px_pid")
			row "$r" proxy "$c" "$p_rps" "$p_p50" "$p_p99" "$p_cpu"
		fi
		read -r g_rps g_p50 g_p99 g_cpu < <(run gateway "$gw/v1/services/inventory/GetItems" "$c" "$gw_pid")
		row "$r" gateway "$c" "$g_rps" "$g_p50" "$g_p99" "$g_cpu"
		if [ "$c" != 1 ]; then
			line="$line $d_rps $p_rps $g_rps $p_cpu $g_cpu"
		else
			line="$line $d_p50 $d_p99 $g_p50 $g_p99"
		fi
	done
	results+=("$line")
done
echo "(cpu µs: CPU time per call of the process answering: the upstream, the proxy or the gateway)"
printf '%s\n' "${results[@]}" | awk '
	{ dr += $2; pr += $3; gr += $4; pc += $5; gc += $6; dp50 += $7; dp99 += $8; gp50 += $9; gp99 += $10; n++ }
	END {
		printf "\nthroughput (%s connections): gateway/direct %.2fx, proxy/direct %.2fx, gateway/proxy %.2fx\n", "'"$conns"'", gr/dr, pr/dr, gr/pr
		printf "CPU per call (%s connections): proxy %.1f µs, gateway %.1f µs, gateway/proxy %.2fx\n", "'"$conns"'", pc/n, gc/n, (pc > 0 ? gc/pc : 0)
		printf "latency (1 connection): gateway p50 +%.3f ms, p99 +%.3f ms over direct\n", (gp50-dp50)/n, (gp99-dp99)/n
		printf "(means of %d rounds)\n", n
	}'
