// bench/spawn/go/main.go: Go's twin of bench/spawn/spawn.c: creates, runs
// and joins N trivial goroutines (each calls wg.Done), REPS times; prints
// ns per goroutine, best and median.
//
//	spawn_go [N=1000000] [REPS=5]        GOMAXPROCS from the environment
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"
)

func arg(i int, def int) int {
	if len(os.Args) <= i {
		return def
	}
	v, err := strconv.Atoi(os.Args[i])
	if err != nil || v <= 0 {
		fmt.Fprintf(os.Stderr, "bad argument %q\n", os.Args[i])
		os.Exit(2)
	}
	return v
}

func main() {
	n := arg(1, 1000000)
	reps := arg(2, 5)
	ns := make([]float64, reps)
	var wg sync.WaitGroup
	for r := 0; r < reps; r++ {
		t0 := time.Now()
		wg.Add(n)
		for i := 0; i < n; i++ {
			go func() { wg.Done() }()
		}
		wg.Wait()
		ns[r] = float64(time.Since(t0).Nanoseconds()) / float64(n)
		fmt.Printf("rep=%d ns_per_goroutine=%.1f\n", r, ns[r])
	}
	sort.Float64s(ns)
	fmt.Printf("spawn n=%d reps=%d gomaxprocs=%d best_ns=%.1f median_ns=%.1f\n", n, reps,
		runtime.GOMAXPROCS(0), ns[0], ns[reps/2])
}
