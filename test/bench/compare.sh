#!/bin/sh
# Decode throughput of soapbridge, python3-zeep and node-soap on the same
# GetItemsResponse envelopes (about 1 KB, 100 KB and 50 MB), measured in one
# run by BenchmarkDecodeVsPeers (internal/soap/bench_test.go), which calls
# test/bench/zeep_decode.py and test/peers/node/decode_bench.js on the same
# files. Prints a table of MB/s and the ratios ours/zeep and ours/node-soap.
#
# Usage: test/bench/compare.sh [extra go test flags, e.g. -benchtime 5x]
# Needs python3-zeep and node-soap (./scripts/test.sh installs both).
# Ratios, not absolute numbers, are what to compare across machines.
set -eu
cd "$(dirname "$0")/../.."
out=$(go test ./internal/soap -run '^$' -bench '^BenchmarkDecodeVsPeers$' "$@")
printf '%s\n' "$out" | awk '
/^BenchmarkDecodeVsPeers\// {
	name = $1; sub(/^BenchmarkDecodeVsPeers\//, "", name); sub(/-[0-9]+$/, "", name)
	for (i = 2; i < NF; i++) {
		if ($(i+1) == "MB/s") ours = $i
		if ($(i+1) == "zeep-MB/s") zeep = $i
		if ($(i+1) == "node-soap-MB/s") node = $i
		if ($(i+1) == "x-zeep") xz = $i
		if ($(i+1) == "x-node-soap") xn = $i
	}
	if (!header++) printf "%-8s %14s %12s %16s %10s %14s\n", "envelope", "soapbridge", "zeep", "node-soap", "x zeep", "x node-soap"
	printf "%-8s %9.1f MB/s %7.1f MB/s %11.1f MB/s %9.1fx %13.1fx\n", name, ours, zeep, node, xz, xn
	found = 1
}
END { if (!found) exit 1 }
' || { printf '%s\n' "$out"; exit 1; }
