#!/bin/sh
# bench/hooks/run.sh: gort's hooks on libc calls. The pipeio workload (1,000
# goroutines each reading its own pipe, one writer, 100 rounds) and the
# sleepers workload (10,000 goroutines x 10 x 1 ms), each written with
# gort's API (gort_read/gort_write, gort_sleep) and with the plain libc
# calls (read/write, usleep/nanosleep), at GOMAXPROCS=1 and 2, in the same
# runtime (no Go twin). 3 repetitions per process, 3 processes of each
# (interleaved), best figure (--short: 10 rounds, 1,000 sleepers, 2 x 1
# process). Target: libc/gort <= 1.10x. Without working hooks the libc
# variants block threads: slow, or stuck; each process then ends at its
# watchdog (HOOKS_TIMEOUT seconds, 15; --short 5), reported as a timeout
# (MISS), and that variant is not run again at that GOMAXPROCS.
. "$(dirname "$0")/../common/lib.sh"
bench_init hooks "$@"
NP=1000 RP=100 NS=10000 K=10 REPS=3 ROUNDS=3 TO=15
[ "$SHORT" = 1 ] && RP=10 NS=1000 REPS=2 ROUNDS=1 TO=5
TO=${HOOKS_TIMEOUT:-$TO}
TARGET=1.10

# compare WORKLOAD PROCS GORT_LABEL LIBC_LABEL RATIO_LABEL ARGS...: runs
# hooks WORKLOAD-gort and WORKLOAD-libc in turn, prints the line.
compare() {
	w=$1 procs=$2 gl=$3 ll=$4 rl=$5
	shift 5
	g='' l='' stuck=0 i=0
	while [ $i -lt $ROUNDS ]; do
		measure hooks env GOMAXPROCS=$procs HOOKS_TIMEOUT=$TO "$BIN/hooks" $w-gort "$@"
		keep g best_ms
		if [ $stuck = 0 ]; then
			try hooks env GOMAXPROCS=$procs HOOKS_TIMEOUT=$TO "$BIN/hooks" $w-libc "$@"
			if [ -n "$LINE" ]; then keep l best_ms; else stuck=1; fi
		fi
		i=$((i + 1))
	done
	gm=$(field best_ms "$g")
	if [ $stuck = 1 ]; then
		printf 'hooks %-8s P=%s  %s %6s ms  %s timeout (> %s s)  target <= %sx  MISS\n' \
			$w $procs $gl "$(fmt "$gm")" $ll $TO $TARGET
	else
		lm=$(field best_ms "$l")
		r=$(calc "$lm / $gm")
		printf 'hooks %-8s P=%s  %s %6s ms  %s %6s ms  %s %sx  target <= %sx  %s\n' \
			$w $procs $gl "$(fmt "$gm")" $ll "$(fmt "$lm")" $rl "$(fmt "$r")" $TARGET \
			"$(verdict "$r" le $TARGET)"
	fi
}

for procs in 1 2; do
	compare pipeio $procs gort_read read read/gort_read $NP $RP $REPS
	compare sleepers $procs gort_sleep usleep+nanosleep libc/gort_sleep $NS $K $REPS
done
echo "hooks      (pipeio: $NP readers x $RP rounds; sleepers: $NS goroutines x $K x 1 ms, floor $K ms;" \
	"best of $ROUNDS processes x $REPS repetitions; libc timeout $TO s)"
