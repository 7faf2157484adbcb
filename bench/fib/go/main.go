// bench/fib/go/main.go: Go's twin of bench/fib/fib.c: fib(N) with a
// goroutine per call above CUTOFF (plain recursion at or below it), joined
// with sync.WaitGroup; wall time best and median of REPS, and the plain
// recursive time; exits 1 on a wrong result.
//
//	fib_go [N=30] [REPS=50] [CUTOFF=12]     GOMAXPROCS from the environment
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

var cutoff int

//go:noinline
func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

// calls(n): how many calls above the cutoff fib(n) makes: the goroutines.
func calls(n int) int {
	if n <= cutoff {
		return 0
	}
	return 1 + calls(n-1) + calls(n-2)
}

func pfib(n int, r *int, done *sync.WaitGroup) {
	var wg sync.WaitGroup
	var c [2]int
	for i := 0; i < 2; i++ {
		m := n - 1 - i
		if m > cutoff {
			wg.Add(1)
			go pfib(m, &c[i], &wg)
		} else {
			c[i] = fib(m)
		}
	}
	wg.Wait()
	*r = c[0] + c[1]
	done.Done()
}

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
	n := arg(1, 30)
	reps := arg(2, 50)
	cutoff = arg(3, 12)
	want := fib(n)
	ms := make([]float64, reps)
	for r := 0; r < reps; r++ {
		var wg sync.WaitGroup
		var res int
		t0 := time.Now()
		if n > cutoff {
			wg.Add(1)
			go pfib(n, &res, &wg)
			wg.Wait()
		} else {
			res = fib(n)
		}
		ms[r] = float64(time.Since(t0).Nanoseconds()) / 1e6
		if res != want {
			fmt.Fprintf(os.Stderr, "fib: fib(%d) = %d, want %d\n", n, res, want)
			os.Exit(1)
		}
	}
	seq := 1e30
	for r := 0; r < 5; r++ {
		t0 := time.Now()
		if fib(n) != want {
			os.Exit(1)
		}
		if t := float64(time.Since(t0).Nanoseconds()) / 1e6; t < seq {
			seq = t
		}
	}
	sort.Float64s(ms)
	fmt.Printf("fib n=%d cutoff=%d reps=%d gomaxprocs=%d result=%d goroutines=%d best_ms=%.3f median_ms=%.3f seq_ms=%.3f\n",
		n, cutoff, reps, runtime.GOMAXPROCS(0), want, calls(n), ms[0], ms[reps/2], seq)
}
