#!/bin/sh
# bench/pingpong/run.sh: ns per round trip when two goroutines exchange a
# value over unbuffered channels, 1,000,000 round trips, GOMAXPROCS=1 and
# 2, gort against Go. 3 repetitions per process, 3 processes of each
# (interleaved), best figure (--short: 50,000 round trips, 2 x 1 process).
# Target: 2x faster than Go.
. "$(dirname "$0")/../common/lib.sh"
bench_init pingpong "$@"
N=1000000 REPS=3 ROUNDS=3
[ "$SHORT" = 1 ] && N=50000 REPS=2 ROUNDS=1
go_build pingpong
for procs in 1 2; do
	g='' o='' i=0
	while [ $i -lt $ROUNDS ]; do
		measure pingpong env GOMAXPROCS=$procs "$BIN/pingpong" $N $REPS
		keep g best_ns
		if [ -n "$GOPROG" ]; then
			measure pingpong env GOMAXPROCS=$procs "$GOPROG" $N $REPS
			keep o best_ns
		fi
		i=$((i + 1))
	done
	gn=$(field best_ns "$g")
	if [ -n "$GOPROG" ]; then
		on=$(field best_ns "$o")
		r=$(calc "$on / $gn")
		printf 'pingpong P=%s  gort %6s ns/round trip   go %6s ns/round trip   go/gort %sx   target >= 2x  %s\n' \
			$procs "$(fmt "$gn")" "$(fmt "$on")" "$(fmt "$r")" "$(verdict "$r" ge 2)"
	else
		printf 'pingpong P=%s  gort %6s ns/round trip   go: not found   target >= 2x  n/a\n' $procs "$(fmt "$gn")"
	fi
done
echo "pingpong   ($N round trips, best of $ROUNDS processes x $REPS repetitions)"
