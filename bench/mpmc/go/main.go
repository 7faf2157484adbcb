// bench/mpmc/go/main.go: Go's twin of bench/mpmc/mpmc.c: PRODUCERS
// goroutines each send N values into a channel of capacity 64, 8 consumers
// receive and sum them until it is closed; REPS times; prints ns per value,
// best and median, and checks the sum.
//
//	mpmc_go [N=20000] [REPS=3] [PRODUCERS=100]        GOMAXPROCS from the environment
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

const consumers = 8

func main() {
	n := arg(1, 20000)
	reps := arg(2, 3)
	np := arg(3, 100)
	ns := make([]float64, reps)
	for r := 0; r < reps; r++ {
		c := make(chan int64, 64)
		var sums [consumers]int64
		var pw, cw sync.WaitGroup
		t0 := time.Now()
		pw.Add(np)
		cw.Add(consumers)
		for i := 0; i < np; i++ {
			go func() {
				for k := int64(0); k < int64(n); k++ {
					c <- k
				}
				pw.Done()
			}()
		}
		for i := 0; i < consumers; i++ {
			go func(i int) {
				var s int64
				for v := range c {
					s += v
				}
				sums[i] = s
				cw.Done()
			}(i)
		}
		pw.Wait()
		close(c)
		cw.Wait()
		ns[r] = float64(time.Since(t0).Nanoseconds()) / float64(np*n)
		var total int64
		for _, s := range sums {
			total += s
		}
		want := int64(np) * (int64(n) * int64(n-1) / 2)
		if total != want {
			fmt.Fprintf(os.Stderr, "mpmc: sum %d, want %d\n", total, want)
			os.Exit(1)
		}
		fmt.Printf("rep=%d ns_per_value=%.1f\n", r, ns[r])
	}
	sort.Float64s(ns)
	fmt.Printf("mpmc n=%d producers=%d consumers=%d reps=%d gomaxprocs=%d best_ns=%.1f median_ns=%.1f\n", n, np,
		consumers, reps, runtime.GOMAXPROCS(0), ns[0], ns[reps/2])
}
