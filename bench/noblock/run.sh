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

# files: 1,000 readers (200 with --short) of their own cold 1 MiB file,
# gort at GOMAXPROCS=1 (the blocking pool: 16 threads), 1,000 pthreads, Go.
# Target (issue #17 item 2): threads <= GOMAXPROCS + pool (+ sysmon and a
# spare M); throughput at least the pthreads'.
FD=$(mktemp -d "${TMPDIR:-/tmp}/gort-bench-files.XXXXXX")
FN=1000 FREPS=3
[ "$SHORT" = 1 ] && FN=200 FREPS=2
g='' t='' o='' i=0
while [ $i -lt $ROUNDS ]; do
	measure files env GOMAXPROCS=1 "$BIN/files_gort" gort "$FD" $FN 1024 $FREPS
	keep g best_ms
	measure files "$BIN/files_pthread" pthread "$FD" $FN 1024 $FREPS
	keep t best_ms
	if [ -n "$GOPROG" ]; then
		measure files env GOMAXPROCS=1 "$GOPROG" files "$FD" $FN 1024 $FREPS
		keep o best_ms
	fi
	i=$((i + 1))
done
rm -rf "$FD"
gm=$(field best_ms "$g") tm=$(field best_ms "$t")
printf 'noblock    files x%s (1 MiB, cold): gort %s ms (%s threads)   pthreads %s ms (%s threads)   pthreads/gort %sx   target >= 1x, threads <= 20  %s\n' \
	"$FN" "$(fmt "$gm")" "$(field threads "$g")" "$(fmt "$tm")" "$(field threads "$t")" "$(fmt "$(calc "$tm / $gm")")" \
	"$( [ "$(verdict "$(calc "$tm / $gm")" ge 1)" = PASS ] && [ "$(field threads "$g")" -le 20 ] && echo PASS || echo MISS)"
if [ -n "$o" ]; then
	om=$(field best_ms "$o")
	printf 'noblock    files x%s: go %s ms (%s threads)   go/gort %sx   (Go %s, os.File.Read; reference)\n' \
		"$FN" "$(fmt "$om")" "$(field threads "$o")" "$(fmt "$(calc "$om / $gm")")" "$GOVERSION"
fi

# stdio: 1,000 readers (200 with --short) each fgets a line from their own
# pipe (fdopen), fed after 10 ms, 5 rounds per process (2 with --short):
# gort musl static and glibc at GOMAXPROCS=1 (the FILE's read parks the
# goroutine), 1,000 pthreads (musl). Target (issue #17 item 5): a handful of
# threads; throughput at least the pthreads'.
SN=1000 SREPS=5
[ "$SHORT" = 1 ] && SN=200 SREPS=2
g='' gg='' t='' i=0
while [ $i -lt $ROUNDS ]; do
	measure stdio env GOMAXPROCS=1 "$BIN/stdio_gort" gort $SN $SREPS
	keep g best_ms
	measure stdio env GOMAXPROCS=1 "$BIN/stdio_gort_glibc" gort $SN $SREPS
	keep gg best_ms
	measure stdio "$BIN/stdio_pthread" pthread $SN $SREPS
	keep t best_ms
	i=$((i + 1))
done
tm=$(field best_ms "$t")
for x in "musl:$g" "glibc:$gg"; do
	k=${x%%:*} l=${x#*:}
	lm=$(field best_ms "$l")
	printf 'noblock    stdio x%s (fgets, own pipe): gort %s %s ms (%s threads)   pthreads %s ms (%s threads)   pthreads/gort %sx   target >= 1x, threads <= 8  %s\n' \
		"$SN" "$k" "$(fmt "$lm")" "$(field threads "$l")" "$(fmt "$tm")" "$(field threads "$t")" "$(fmt "$(calc "$tm / $lm")")" \
		"$( [ "$(verdict "$(calc "$tm / $lm")" ge 1)" = PASS ] && [ "$(field threads "$l")" -le 8 ] && echo PASS || echo MISS)"
done

# lookups: 1,000 resolvers (200 with --short), each a name of its own
# against dnsd answering in 100 ms (root only: a private mount namespace
# puts a resolv.conf naming it over /etc/resolv.conf). gort musl static (the
# libc's resolver parks in the hooked poll), gort glibc (gort's stub
# resolver, runtime/dnsclient.c), gort musl dynamic (the libc's lookup on the
# blocking pool), 1,000 glibc pthreads, Go's pure-Go resolver. Target
# (issue #17 item 1): under 0.5 s with fewer than 32 threads.
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	LD=$(mktemp -d "${TMPDIR:-/tmp}/gort-bench-dns.XXXXXX")
	printf 'nameserver 127.0.0.77\noptions timeout:2 attempts:2\n' >"$LD/resolv.conf"
	"$BIN/dnsd" 127.0.0.77 100 >"$LD/dnsd.out" 2>&1 &
	DNSD=$!
	n=0
	until grep -q ready "$LD/dnsd.out" 2>/dev/null; do
		n=$((n + 1)); [ $n -gt 100 ] && break; sleep 0.05
	done
	LN=1000 LREPS=2
	[ "$SHORT" = 1 ] && LN=200 LREPS=1
	ns() { unshare -m --propagation private sh -c "mount --bind $LD/resolv.conf /etc/resolv.conf && exec \"\$@\"" sh "$@"; }
	gm='' gg='' gd='' tp='' gl=''
	measure lookups ns env GOMAXPROCS=1 "$BIN/lookups_gort" gort $LN $LREPS; gm=$LINE
	measure lookups ns env GOMAXPROCS=1 "$BIN/lookups_gort_glibc" gort $LN $LREPS; gg=$LINE
	measure lookups ns env GOMAXPROCS=1 "$BIN/lookups_gort_mdyn" gort $LN $LREPS; gd=$LINE
	measure lookups ns "$BIN/lookups_pthread" pthread $LN $LREPS; tp=$LINE
	[ -n "$GOPROG" ] && { measure lookups ns env GOMAXPROCS=1 "$GOPROG" lookups $LN $LREPS; gl=$LINE; }
	kill $DNSD 2>/dev/null || true
	rm -rf "$LD"
	for x in "musl:$gm" "glibc:$gg" "musl-dynamic:$gd"; do
		k=${x%%:*} l=${x#*:}
		printf 'noblock    lookups x%s (100 ms server): gort %s %s ms (%s threads)   target < 500 ms, < 32 threads  %s\n' \
			"$LN" "$k" "$(fmt "$(field best_ms "$l")")" "$(field threads "$l")" \
			"$( [ "$(verdict "$(field best_ms "$l")" le 500)" = PASS ] && [ "$(field threads "$l")" -lt 32 ] && echo PASS || echo MISS)"
	done
	printf 'noblock    lookups x%s: glibc pthreads %s ms (%s threads)%s\n' "$LN" "$(fmt "$(field best_ms "$tp")")" \
		"$(field threads "$tp")" "$( [ -n "$gl" ] && printf '   go %s ms (%s threads, pure-Go resolver; reference)' "$(fmt "$(field best_ms "$gl")")" "$(field threads "$gl")")"
else
	echo "noblock    lookups: needs root and unshare -m (a test resolv.conf): skipped"
fi
