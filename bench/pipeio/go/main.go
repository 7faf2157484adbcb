// bench/pipeio/go/main.go: Go's twin of bench/pipeio/pipeio.c: N
// goroutines each blocked reading its own os.Pipe (parked in Go's
// netpoller); one writer feeds them in turn, one byte per pipe per round,
// for ROUNDS rounds, then closes the pipes; prints the wall time from the
// first write to the last reader done, REPS times, best and median.
//
//	pipeio_go [N=1000] [ROUNDS=100] [REPS=3]        GOMAXPROCS from the environment
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
	n := arg(1, 1000)
	rounds := arg(2, 100)
	reps := arg(3, 3)
	ms := make([]float64, reps)
	got := make([]int, n)
	var wg sync.WaitGroup
	x := []byte{'x'}
	for r := 0; r < reps; r++ {
		rs := make([]*os.File, n)
		ws := make([]*os.File, n)
		wg.Add(n)
		for i := 0; i < n; i++ {
			pr, pw, err := os.Pipe()
			if err != nil {
				fmt.Fprintln(os.Stderr, "pipeio:", err)
				os.Exit(1)
			}
			rs[i], ws[i], got[i] = pr, pw, 0
			go func(i int) {
				buf := make([]byte, 128)
				for {
					k, err := rs[i].Read(buf)
					got[i] += k
					if err != nil {
						break
					}
				}
				wg.Done()
			}(i)
		}
		time.Sleep(time.Millisecond)
		t0 := time.Now()
		for k := 0; k < rounds; k++ {
			for i := 0; i < n; i++ {
				if _, err := ws[i].Write(x); err != nil {
					fmt.Fprintln(os.Stderr, "pipeio:", err)
					os.Exit(1)
				}
			}
		}
		for i := 0; i < n; i++ {
			ws[i].Close()
		}
		wg.Wait()
		ms[r] = float64(time.Since(t0).Nanoseconds()) / 1e6
		for i := 0; i < n; i++ {
			if got[i] != rounds {
				fmt.Fprintf(os.Stderr, "pipeio: reader %d got %d bytes, want %d\n", i, got[i], rounds)
				os.Exit(1)
			}
			rs[i].Close()
		}
		fmt.Printf("rep=%d wall_ms=%.2f\n", r, ms[r])
	}
	sort.Float64s(ms)
	fmt.Printf("pipeio n=%d rounds=%d reps=%d gomaxprocs=%d best_ms=%.2f median_ms=%.2f\n", n, rounds, reps,
		runtime.GOMAXPROCS(0), ms[0], ms[reps/2])
}
