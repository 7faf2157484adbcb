// bench/sleepers/go/main.go: Go's twin of bench/sleepers/sleepers.c: N
// goroutines each call time.Sleep(1ms) K times; prints the wall time of
// the whole, REPS times, best and median.
//
//	sleepers_go [N=10000] [K=10] [REPS=3]        GOMAXPROCS from the environment
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
	n := arg(1, 10000)
	k := arg(2, 10)
	reps := arg(3, 3)
	ms := make([]float64, reps)
	var wg sync.WaitGroup
	for r := 0; r < reps; r++ {
		t0 := time.Now()
		wg.Add(n)
		for i := 0; i < n; i++ {
			go func() {
				for j := 0; j < k; j++ {
					time.Sleep(time.Millisecond)
				}
				wg.Done()
			}()
		}
		wg.Wait()
		ms[r] = float64(time.Since(t0).Nanoseconds()) / 1e6
		fmt.Printf("rep=%d wall_ms=%.2f\n", r, ms[r])
	}
	sort.Float64s(ms)
	fmt.Printf("sleepers n=%d k=%d reps=%d gomaxprocs=%d best_ms=%.2f median_ms=%.2f\n", n, k, reps,
		runtime.GOMAXPROCS(0), ms[0], ms[reps/2])
}
