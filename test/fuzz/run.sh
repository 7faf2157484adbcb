#!/bin/sh
# test/fuzz/run.sh BIN SECONDS SEEDS: runs a libFuzzer target for SECONDS
# from SEEDS, keeping its corpus in BIN-corpus; prints the summary and fails
# if the fuzzer found anything (its artifacts are left in BIN's directory).
set -u
bin=$1 secs=$2 seeds=$3
mkdir -p "$bin-corpus"
rm -f "$bin"-crash-* "$bin"-leak-* "$bin"-timeout-* "$bin"-oom-*
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$bin-" \
	"$bin-corpus" "$seeds" >"$bin.log" 2>&1
rc=$?
grep -E 'DONE|ERROR|SUMMARY|Test unit written' "$bin.log" | sed "s|^|$(basename "$bin"): |"
if [ $rc -ne 0 ] || ls "$bin"-crash-* "$bin"-leak-* "$bin"-timeout-* "$bin"-oom-* >/dev/null 2>&1; then
	echo "$(basename "$bin"): the fuzzer found a failure (exit $rc): see $bin.log and $bin-*" >&2
	exit 1
fi
