#!/bin/sh
# bench/echo/run.sh: requests per second of the echo server (examples/echo,
# a goroutine per connection) with 100 connections on loopback, each doing
# 64-byte request/response round trips, against the same server written in
# Go (bench/echo/go). The load comes from the same client for both,
# examples/echoclient (a gort program, one goroutine per connection), which
# checks every reply. Server and client share the machine's CPUs, as a
# loopback benchmark must. 5 runs of each server (interleaved), 2,000
# round trips per connection, best figure (--short: 200, 1 run).
# Target: no slower than Go (ratio gort/go >= 1; issue #18 asks 1.5x).
# Third column, the usual event loop: bench/echo/evloop.c, a hand-written
# edge-triggered epoll server in plain C, at equal CPUs to gort's
# GOMAXPROCS: one loop when GOMAXPROCS=1, one loop per CPU with
# SO_REUSEPORT otherwise. Target: gort >= 0.9x the event loop.
# Second figure, the server's CPU per request (the sum of its threads'
# run time, /proc/PID/task/*/schedstat, over the client's run): on a
# machine where the client shares the server's CPUs, every server's
# requests per second stop at the client's ceiling, while its CPU per
# request says what it would reach on CPUs of its own ("at equal CPUs").
# Median of the rounds; lower is better.
. "$(dirname "$0")/../common/lib.sh"
bench_init echo "$@"
CONNS=100 RT=2000 ROUNDS=5
[ "$SHORT" = 1 ] && RT=200 ROUNDS=1
EX=$(dirname "$BIN")/examples
go_build echo
TMP=$(mktemp -d)
SRV=
trap '[ -z "$SRV" ] || kill $SRV 2>/dev/null; rm -rf "$TMP"' EXIT

# load SERVER [ARGS]: starts SERVER, runs the client against it, sets RATE
# and NSREQ (the server's CPU ns per request).
load() {
	"$@" >"$TMP/out" 2>&1 &
	SRV=$!
	n=0
	until grep -q listening "$TMP/out"; do
		n=$((n + 1))
		if [ $n -gt 500 ] || ! kill -0 $SRV 2>/dev/null; then
			echo "echo: server $1 did not start:" >&2
			cat "$TMP/out" >&2
			exit 1
		fi
		sleep 0.01
	done
	port=$(sed -n 's/.*127\.0\.0\.1://p' "$TMP/out")
	c0=$(cputime $SRV)
	if ! LINE=$("$EX/echoclient" 127.0.0.1 "$port" $CONNS 64 $RT 2>&1); then
		echo "echo: the client failed against $1:" >&2
		echo "$LINE" >&2
		exit 1
	fi
	c1=$(cputime $SRV)
	kill $SRV
	wait $SRV 2>/dev/null || true
	SRV=
	RATE=$(echo "$LINE" | sed -n 's/.*rate=\([0-9.]*\).*/\1/p')
	NSREQ=$(calc "($c1 - $c0) / ($CONNS * $RT)")
}

# take BEST LIST SERVER [ARGS]: one load; BEST keeps the best req/s, LIST
# gathers the CPU per request of every round.
take() {
	_b=$1 _l=$2
	shift 2
	load "$@"
	eval "[ \"\$(calc \"(\$RATE > \$$_b)\")\" = 1 ] && $_b=\$RATE; $_l=\"\$$_l \$NSREQ\""
}

# compare LABEL UNIT GORT OTHER OTHERVALUE RATIONAME RATIO TARGET: one line.
compare() {
	printf 'echo       %sgort %s %s   %s %s %s   %s %sx   target >= %sx  %s\n' "$1" "$(fmt0 "$3")" "$2" "$4" \
		"$(fmt0 "$5")" "$2" "$6" "$(fmt "$7")" "$8" "$(verdict "$7" ge "$8")"
}

NCPU=$(nproc)
g=0 o=0 e1=0 en=0 g1=0 o1=0 i=0
cg= co= cen= cg1= co1= ce1=
while [ $i -lt $ROUNDS ]; do
	take g cg "$EX/echo"
	if [ -n "$GOPROG" ]; then
		take o co "$GOPROG"
		take o1 co1 env GOMAXPROCS=1 "$GOPROG"
	fi
	take en cen "$BIN/evloop" "$NCPU"
	take g1 cg1 env GOMAXPROCS=1 "$EX/echo"
	take e1 ce1 "$BIN/evloop" 1
	i=$((i + 1))
done
if [ -n "$GOPROG" ]; then
	compare "" req/s "$g" go "$o" gort/go "$(calc "$g / $o")" 1
else
	printf 'echo       gort %s req/s   go: not found   target >= 1x  n/a\n' "$(fmt0 "$g")"
fi
echo "echo       ($CONNS connections x $RT round trips of 64 bytes, same gort client for both, best of $ROUNDS runs)"
compare "" req/s "$g" "event loop x$NCPU" "$en" gort/evloop "$(calc "$g / $en")" 0.9
compare "GOMAXPROCS=1: " req/s "$g1" "event loop x1" "$e1" gort/evloop "$(calc "$g1 / $e1")" 0.9
# The server's CPU per request, median of the rounds (ns; lower is better).
mg=$(median $cg) men=$(median $cen) mg1=$(median $cg1) me1=$(median $ce1)
compare "server CPU per request: " ns "$mg" "event loop x$NCPU" "$men" evloop/gort "$(calc "$men / $mg")" 0.9
compare "server CPU per request, GOMAXPROCS=1: " ns "$mg1" "event loop x1" "$me1" evloop/gort "$(calc "$me1 / $mg1")" 0.9
if [ -n "$GOPROG" ]; then
	mo=$(median $co) mo1=$(median $co1)
	compare "server CPU per request: " ns "$mg" go "$mo" go/gort "$(calc "$mo / $mg")" 1.5
	compare "server CPU per request, GOMAXPROCS=1: " ns "$mg1" go "$mo1" go/gort "$(calc "$mo1 / $mg1")" 1.5
	printf 'echo       (go/event loop x%s %sx: what a server making a system call per read and write reaches; gort batches them, runtime/iobatch.c)\n' \
		"$NCPU" "$(fmt "$(calc "$mo / $men")")"
fi
