#!/bin/sh
# bench/idle/run.sh: 100,000 and 1,000,000 goroutines parked at once (on a
# WaitGroup): VmRSS growth per goroutine, page tables (VmPTE, not counted in
# VmRSS) and creation time, gort against Go. 100,000: best of 3 runs
# (separate processes, gort's and Go's interleaved); 1,000,000: one run. --short: 10,000 and 100,000, one
# run each. Targets: 1,000,000 works; bytes per goroutine (VmRSS) at most
# 1.6x Go's.
. "$(dirname "$0")/../common/lib.sh"
bench_init idle "$@"
SIZES="100000:3 1000000:1"
[ "$SHORT" = 1 ] && SIZES="10000:1 100000:1"
go_build idle

for s in $SIZES; do
	n=${s%:*} runs=${s#*:}
	label=$(awk -v n="$n" 'BEGIN { if (n >= 1000000) printf "%gM", n / 1e6; else printf "%gk", n / 1e3 }')
	g='' o='' i=0
	while [ $i -lt "$runs" ]; do
		measure idle "$BIN/idle" "$n"
		keep g create_ns
		if [ -n "$GOPROG" ]; then
			measure idle "$GOPROG" "$n"
			keep o create_ns
		fi
		i=$((i + 1))
	done
	gr=$(field rss_bytes "$g") gp=$(field pte_bytes "$g") gc=$(field create_ns "$g")
	if [ -n "$GOPROG" ]; then
		or=$(field rss_bytes "$o") op=$(field pte_bytes "$o") oc=$(field create_ns "$o")
		r=$(calc "$gr / $or")
		printf 'idle %-5s gort %5s B/goroutine   go %5s B/goroutine   gort/go %sx   target <= 1.6x  %s\n' \
			"$label" "$(fmt0 "$gr")" "$(fmt0 "$or")" "$(fmt "$r")" "$(verdict "$r" le 1.6)"
		printf 'idle %-5s page tables (VmPTE, not in VmRSS): gort %s B/goroutine, go %s; with them gort/go %sx\n' \
			"$label" "$(fmt0 "$gp")" "$(fmt0 "$op")" "$(fmt "$(calc "($gr + $gp) / ($or + $op)")")"
		printf 'idle %-5s create+park: gort %s us/goroutine   go %s us/goroutine   go/gort %sx   (total RSS: gort %s MiB, go %s MiB)\n' \
			"$label" "$(fmt "$(calc "$gc / 1000")")" "$(fmt "$(calc "$oc / 1000")")" \
			"$(fmt "$(calc "$oc / $gc")")" "$(fmt "$(field rss_total_mib "$g")")" \
			"$(fmt "$(field rss_total_mib "$o")")"
	else
		printf 'idle %-5s gort %5s B/goroutine (+%s B page tables)   go: not found   target <= 1.6x  n/a\n' \
			"$label" "$(fmt0 "$gr")" "$(fmt0 "$gp")"
		printf 'idle %-5s create+park: gort %s us/goroutine\n' "$label" "$(fmt "$(calc "$gc / 1000")")"
	fi
	[ "$n" -ge 1000000 ] && echo "idle 1M    1,000,000 goroutines parked at once: works  PASS"
done
echo "idle       (create: best of the runs above; bytes: VmRSS growth / N with all parked)"
