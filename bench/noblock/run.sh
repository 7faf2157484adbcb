#!/bin/sh
# bench/noblock/run.sh: issue #17's waits that must park only the
# goroutine. children: 1,000 waiters each posix_spawn /bin/true and waitpid
# at once, 5 rounds per process (2 with --short, 200 waiters), 3 processes
# interleaved: gort at GOMAXPROCS=1, 1,000 pthreads (musl), Go's
# exec.Command at GOMAXPROCS=1 (when Go is installed). Figures: the best
# round's wall time, the peak thread count. Target (issue #17 item 3): a
# handful of threads; throughput at least the pthreads'.
. "$(dirname "$0")/../common/lib.sh"
bench_init noblock "$@"
N=1000 REPS=5 ROUNDS=3
[ "$SHORT" = 1 ] && N=200 REPS=2 ROUNDS=1
go_build noblock
g='' t='' o='' i=0
while [ $i -lt $ROUNDS ]; do
	measure children env GOMAXPROCS=1 "$BIN/children_gort" gort $N $REPS
	keep g best_ms
	measure children "$BIN/children_pthread" pthread $N $REPS
	keep t best_ms
	if [ -n "$GOPROG" ]; then
		measure children env GOMAXPROCS=1 "$GOPROG" $N $REPS
		keep o best_ms
	fi
	i=$((i + 1))
done
gm=$(field best_ms "$g") tm=$(field best_ms "$t")
printf 'noblock    children x%s: gort %s ms (%s threads)   pthreads %s ms (%s threads)   pthreads/gort %sx   target >= 1x, threads <= 8  %s\n' \
	"$N" "$(fmt "$gm")" "$(field threads "$g")" "$(fmt "$tm")" "$(field threads "$t")" "$(fmt "$(calc "$tm / $gm")")" \
	"$( [ "$(verdict "$(calc "$tm / $gm")" ge 1)" = PASS ] && [ "$(field threads "$g")" -le 8 ] && echo PASS || echo MISS)"
if [ -n "$o" ]; then
	om=$(field best_ms "$o")
	printf 'noblock    children x%s: go %s ms (%s threads)   go/gort %sx   (Go %s, exec.Command; reference)\n' \
		"$N" "$(fmt "$om")" "$(field threads "$o")" "$(fmt "$(calc "$om / $gm")")" "$GOVERSION"
fi
