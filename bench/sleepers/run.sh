#!/bin/sh
# bench/sleepers/run.sh: wall time of 10,000 goroutines each sleeping 1 ms
# ten times, at the default GOMAXPROCS (all CPUs), gort against Go. 3
# repetitions per process, 3 processes of each (interleaved), best figure
# (--short: 1,000 goroutines, 2 x 1 process). The floor is 10 ms.
# Target: no slower than Go.
. "$(dirname "$0")/../common/lib.sh"
bench_init sleepers "$@"
N=10000 K=10 REPS=3 ROUNDS=3
[ "$SHORT" = 1 ] && N=1000 REPS=2 ROUNDS=1
go_build sleepers
g='' o='' i=0
while [ $i -lt $ROUNDS ]; do
	measure sleepers "$BIN/sleepers" $N $K $REPS
	keep g best_ms
	if [ -n "$GOPROG" ]; then
		measure sleepers "$GOPROG" $N $K $REPS
		keep o best_ms
	fi
	i=$((i + 1))
done
gm=$(field best_ms "$g")
if [ -n "$GOPROG" ]; then
	om=$(field best_ms "$o")
	r=$(calc "$om / $gm")
	printf 'sleepers   gort %6s ms   go %6s ms   go/gort %sx   target >= 1x  %s\n' \
		"$(fmt "$gm")" "$(fmt "$om")" "$(fmt "$r")" "$(verdict "$r" ge 1)"
else
	printf 'sleepers   gort %6s ms   go: not found   target >= 1x  n/a\n' "$(fmt "$gm")"
fi
echo "sleepers   ($N goroutines x $K x 1 ms, floor $K ms, GOMAXPROCS=$(field gomaxprocs "$g"), best of $ROUNDS processes x $REPS repetitions)"
