// bench/yield/go/main.go: Go's twin of bench/yield/yield.c: two goroutines
// call runtime.Gosched ITERS times each on GOMAXPROCS=1; prints ns per
// switch, best and median of REPS.
//
//	yield_go [ITERS=2000000] [REPS=5] [YIELDERS=2] [PROCS=1]
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
	iters := arg(1, 2000000)
	reps := arg(2, 5)
	yielders := arg(3, 2)
	runtime.GOMAXPROCS(arg(4, 1))
	ns := make([]float64, reps)
	var wg sync.WaitGroup
	yielder := func() {
		for i := 0; i < iters; i++ {
			runtime.Gosched()
		}
		wg.Done()
	}
	for r := 0; r < reps; r++ {
		wg.Add(yielders)
		t0 := time.Now()
		for y := 0; y < yielders; y++ {
			go yielder()
		}
		wg.Wait()
		ns[r] = float64(time.Since(t0).Nanoseconds()) / float64(yielders*iters)
		fmt.Printf("rep=%d ns_per_switch=%.1f\n", r, ns[r])
	}
	sort.Float64s(ns)
	fmt.Printf("yield iters=%d reps=%d yielders=%d gomaxprocs=%d best_ns=%.2f median_ns=%.2f\n", iters, reps,
		yielders, runtime.GOMAXPROCS(0), ns[0], ns[reps/2])
}
