#!/bin/sh
# bench/observe/echo_trace.sh [BUILD] [ROUNDS]: requests per second of
# examples/echo (100 connections, 2,000 64-byte round trips each, the
# examples/echoclient load) with tracing off, with GORT_TRACE (the whole
# run in memory) and with GORT_TRACE_FLIGHT=16m, alternating, medians.
# Issue #16's target: tracing on loses at most 5% of the requests per second.
set -eu
B=${1:-build} ROUNDS=${2:-5}
TMP=$(mktemp -d)
SRV=
trap '[ -z "$SRV" ] || kill $SRV 2>/dev/null; rm -rf "$TMP"' EXIT
load() { # tag env...
	tag=$1
	shift
	env "$@" "$B/examples/echo" >"$TMP/out" 2>&1 &
	SRV=$!
	until grep -q listening "$TMP/out"; do sleep 0.01; done
	port=$(sed -n 's/.*127\.0\.0\.1://p' "$TMP/out")
	"$B/examples/echoclient" 127.0.0.1 "$port" 100 64 2000 | sed -n 's/.*rate=\([0-9.]*\).*/\1/p' >>"$TMP/$tag"
	kill $SRV
	wait $SRV 2>/dev/null || true
	SRV=
}
i=0
while [ $i -lt "$ROUNDS" ]; do
	load off GORT_X=0
	load trace GORT_TRACE="$TMP/t.pftrace"
	load flight GORT_TRACE_FLIGHT=16m
	i=$((i + 1))
done
med() { sort -n "$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
off=$(med "$TMP/off")
for t in off trace flight; do
	m=$(med "$TMP/$t")
	printf 'echo %-7s %8.0f req/s   %+.1f%%   (%s)\n' "$t" "$m" "$(awk -v a="$m" -v b="$off" 'BEGIN { print (a / b - 1) * 100 }')" \
		"$(tr '\n' ' ' <"$TMP/$t")"
done
