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
# Third column, the floor: bench/echo/evloop.c, a hand-written
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


NCPU=$(nproc)
g=0 o=0 e1=0 en=0 g1=0 o1=0 i=0
cg= co= cen= cg1= co1= ce1=
while [ $i -lt $ROUNDS ]; do
	load "$EX/echo"
	[ "$(calc "($RATE > $g)")" = 1 ] && g=$RATE
	cg="$cg $NSREQ"
	if [ -n "$GOPROG" ]; then
		load "$GOPROG"
		[ "$(calc "($RATE > $o)")" = 1 ] && o=$RATE
		co="$co $NSREQ"
		load env GOMAXPROCS=1 "$GOPROG"
		[ "$(calc "($RATE > $o1)")" = 1 ] && o1=$RATE
		co1="$co1 $NSREQ"
	fi
	load "$BIN/evloop" "$NCPU"
	[ "$(calc "($RATE > $en)")" = 1 ] && en=$RATE
	cen="$cen $NSREQ"
	load env GOMAXPROCS=1 "$EX/echo"
	[ "$(calc "($RATE > $g1)")" = 1 ] && g1=$RATE
	cg1="$cg1 $NSREQ"
	load "$BIN/evloop" 1
	[ "$(calc "($RATE > $e1)")" = 1 ] && e1=$RATE
	ce1="$ce1 $NSREQ"
	i=$((i + 1))
done
if [ -n "$GOPROG" ]; then
	r=$(calc "$g / $o")
	printf 'echo       gort %s req/s   go %s req/s   gort/go %sx   target >= 1x  %s\n' \
		"$(fmt0 "$g")" "$(fmt0 "$o")" "$(fmt "$r")" "$(verdict "$r" ge 1)"
else
	printf 'echo       gort %s req/s   go: not found   target >= 1x  n/a\n' "$(fmt0 "$g")"
fi
echo "echo       ($CONNS connections x $RT round trips of 64 bytes, same gort client for both, best of $ROUNDS runs)"
r=$(calc "$g / $en")
printf 'echo       gort %s req/s   event loop x%s %s req/s   gort/evloop %sx   target >= 0.9x  %s\n' \
	"$(fmt0 "$g")" "$NCPU" "$(fmt0 "$en")" "$(fmt "$r")" "$(verdict "$r" ge 0.9)"
r=$(calc "$g1 / $e1")
printf 'echo       GOMAXPROCS=1: gort %s req/s   event loop x1 %s req/s   gort/evloop %sx   target >= 0.9x  %s\n' \
	"$(fmt0 "$g1")" "$(fmt0 "$e1")" "$(fmt "$r")" "$(verdict "$r" ge 0.9)"
# The server's CPU per request, median of the rounds (ns; lower is better).
mg=$(median $cg) men=$(median $cen) mg1=$(median $cg1) me1=$(median $ce1)
r=$(calc "$men / $mg")
printf 'echo       server CPU per request: gort %s ns   event loop x%s %s ns   evloop/gort %sx   target >= 0.9x  %s\n' \
	"$(fmt0 "$mg")" "$NCPU" "$(fmt0 "$men")" "$(fmt "$r")" "$(verdict "$r" ge 0.9)"
r=$(calc "$me1 / $mg1")
printf 'echo       server CPU per request, GOMAXPROCS=1: gort %s ns   event loop x1 %s ns   evloop/gort %sx   target >= 0.9x  %s\n' \
	"$(fmt0 "$mg1")" "$(fmt0 "$me1")" "$(fmt "$r")" "$(verdict "$r" ge 0.9)"
if [ -n "$GOPROG" ]; then
	mo=$(median $co) mo1=$(median $co1)
	r=$(calc "$mo / $mg")
	printf 'echo       server CPU per request: gort %s ns   go %s ns   go/gort %sx   target >= 1.5x  %s\n' \
		"$(fmt0 "$mg")" "$(fmt0 "$mo")" "$(fmt "$r")" "$(verdict "$r" ge 1.5)"
	r=$(calc "$mo1 / $mg1")
	printf 'echo       server CPU per request, GOMAXPROCS=1: gort %s ns   go %s ns   go/gort %sx   target >= 1.5x  %s\n' \
		"$(fmt0 "$mg1")" "$(fmt0 "$mo1")" "$(fmt "$r")" "$(verdict "$r" ge 1.5)"
	r=$(calc "$mo / $men")
	printf 'echo       (the floor: go/event loop x%s %sx: a server making the event loop'"'"'s system calls per request reaches at most that)\n' \
		"$NCPU" "$(fmt "$r")"
fi
