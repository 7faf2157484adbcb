#!/bin/sh
# bench/http/run.sh: HTTP/1.1 keep-alive requests per second and p99
# latency (issue #18): bench/http/server.c (a goroutine per connection,
# plain read/write through the hooks, its own small parser) against Go's
# net/http (bench/http/go), both loaded by wrk (Debian's wrk: one thread,
# 100 connections, 5 s; --short: 1 s, one round) on loopback. The client
# shares the machine's two CPUs: at GOMAXPROCS=1 each server has one CPU
# and wrk the other (the figure the target is read on); at GOMAXPROCS=2
# server and client contend. 3 rounds interleaved, best req/s and its p99.
# Target: gort >= 1.5x Go's requests per second, p99 no worse.
# Second figure, the server's CPU per request (its threads' run time over
# wrk's run divided by the requests wrk made; median of the rounds): what
# the server would reach on CPUs of its own, which GOMAXPROCS=2 cannot
# show here (wrk takes CPU from whichever server uses both CPUs).
. "$(dirname "$0")/../common/lib.sh"
bench_init http "$@"
if ! command -v wrk >/dev/null 2>&1; then
	echo "http: wrk not found (apt-get install wrk): skipped"
	exit 0
fi
DUR=5 ROUNDS=3
[ "$SHORT" = 1 ] && DUR=1 ROUNDS=1
go_build http
TMP=$(mktemp -d)
SRV=
trap '[ -z "$SRV" ] || kill $SRV 2>/dev/null; rm -rf "$TMP"' EXIT

# load P SERVER: starts SERVER at GOMAXPROCS=P, runs wrk, sets RPS, P99
# (ms) and NSREQ (the server's CPU ns per request).
load() {
	env GOMAXPROCS="$1" "$2" >"$TMP/out" 2>&1 &
	SRV=$!
	n=0
	until grep -q listening "$TMP/out"; do
		n=$((n + 1))
		if [ $n -gt 500 ] || ! kill -0 $SRV 2>/dev/null; then
			echo "http: server $2 did not start:" >&2
			cat "$TMP/out" >&2
			exit 1
		fi
		sleep 0.01
	done
	port=$(sed -n 's/.*127\.0\.0\.1://p' "$TMP/out")
	c0=$(cputime $SRV)
	wrk -t1 -c100 -d${DUR}s --latency "http://127.0.0.1:$port/" >"$TMP/wrk" 2>&1 || {
		echo "http: wrk failed against $2:" >&2
		cat "$TMP/wrk" >&2
		exit 1
	}
	c1=$(cputime $SRV)
	kill $SRV
	wait $SRV 2>/dev/null || true
	SRV=
	if grep -q "Non-2xx\|Socket errors" "$TMP/wrk"; then
		echo "http: errors against $2:" >&2
		cat "$TMP/wrk" >&2
		exit 1
	fi
	RPS=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$TMP/wrk")
	P99=$(awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
		if (u == "us") v /= 1000; else if (u == "s") v *= 1000; print v }' "$TMP/wrk")
	NREQ=$(sed -n 's/^ *\([0-9][0-9]*\) requests in.*/\1/p' "$TMP/wrk")
	NSREQ=$(calc "($c1 - $c0) / $NREQ")
}

for p in 1 2; do
	g=0 gl=0 o=0 ol=0 i=0 cg= co=
	while [ $i -lt $ROUNDS ]; do
		load $p "$BIN/http_server"
		if [ "$(calc "($RPS > $g)")" = 1 ]; then g=$RPS gl=$P99; fi
		cg="$cg $NSREQ"
		if [ -n "$GOPROG" ]; then
			load $p "$GOPROG"
			if [ "$(calc "($RPS > $o)")" = 1 ]; then o=$RPS ol=$P99; fi
			co="$co $NSREQ"
		fi
		i=$((i + 1))
	done
	if [ -n "$GOPROG" ]; then
		r=$(calc "$g / $o")
		printf 'http       GOMAXPROCS=%s: gort %s req/s (p99 %s ms)   go %s req/s (p99 %s ms)   gort/go %sx   target >= 1.5x, p99 <= go  %s\n' \
			"$p" "$(fmt0 "$g")" "$(fmt "$gl")" "$(fmt0 "$o")" "$(fmt "$ol")" "$(fmt "$r")" \
			"$( [ "$(verdict "$r" ge 1.5)" = PASS ] && [ "$(calc "($gl <= $ol)")" = 1 ] && echo PASS || echo MISS)"
		mg=$(median $cg) mo=$(median $co)
		r=$(calc "$mo / $mg")
		printf 'http       GOMAXPROCS=%s: server CPU per request: gort %s ns   go %s ns   go/gort %sx   target >= 1.5x  %s\n' \
			"$p" "$(fmt0 "$mg")" "$(fmt0 "$mo")" "$(fmt "$r")" "$(verdict "$r" ge 1.5)"
	else
		printf 'http       GOMAXPROCS=%s: gort %s req/s (p99 %s ms)   go: not found\n' "$p" "$(fmt0 "$g")" "$(fmt "$gl")"
	fi
done
echo "http       (wrk -t1 -c100 -d${DUR}s, keep-alive GET of a 13-byte body, best of $ROUNDS; wrk shares the 2 CPUs)"
