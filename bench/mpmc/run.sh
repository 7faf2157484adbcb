#!/bin/sh
# bench/mpmc/run.sh: ns per value when 100 producers and 8 consumers share
# one buffered channel (capacity 64): contention on one channel's lock,
# which bench/pingpong (two goroutines, usually on one P) does not show.
# 100 x 20,000 values, GOMAXPROCS=2 and 8, gort against Go. 3 repetitions
# per process, 3 processes of each (interleaved), best figure (--short:
# 100 x 1,000 values, 2 x 1 process). Target (ours, not an issue's): no
# slower than Go.
. "$(dirname "$0")/../common/lib.sh"
bench_init mpmc "$@"
N=20000 REPS=3 ROUNDS=3
[ "$SHORT" = 1 ] && N=1000 REPS=2 ROUNDS=1
go_build mpmc
for procs in 2 8; do
	g='' o='' i=0
	while [ $i -lt $ROUNDS ]; do
		measure mpmc env GOMAXPROCS=$procs "$BIN/mpmc" $N $REPS
		keep g best_ns
		if [ -n "$GOPROG" ]; then
			measure mpmc env GOMAXPROCS=$procs "$GOPROG" $N $REPS
			keep o best_ns
		fi
		i=$((i + 1))
	done
	gn=$(field best_ns "$g")
	if [ -n "$GOPROG" ]; then
		on=$(field best_ns "$o")
		r=$(calc "$on / $gn")
		printf 'mpmc P=%s      gort %6s ns/value   go %6s ns/value   go/gort %sx   target >= 1x  %s\n' \
			$procs "$(fmt "$gn")" "$(fmt "$on")" "$(fmt "$r")" "$(verdict "$r" ge 1)"
	else
		printf 'mpmc P=%s      gort %6s ns/value   go: not found   target >= 1x  n/a\n' $procs "$(fmt "$gn")"
	fi
done
echo "mpmc       (100 producers x $N values, 8 consumers, one channel of capacity 64, best of $ROUNDS processes x $REPS repetitions)"
