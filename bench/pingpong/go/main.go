// bench/pingpong/go/main.go: Go's twin of bench/pingpong/pingpong.c: two
// goroutines exchange a value over two unbuffered channels ITERS round
// trips, REPS times; prints ns per round trip, best and median.
//
//	pingpong_go [ITERS=1000000] [REPS=5]        GOMAXPROCS from the environment
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
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
	iters := arg(1, 1000000)
	reps := arg(2, 5)
	ns := make([]float64, reps)
	ping, pong := make(chan int), make(chan int)
	for r := 0; r < reps; r++ {
		done := make(chan bool)
		t0 := time.Now()
		go func() {
			for i := 0; i < iters; i++ {
				v := <-ping
				pong <- v + 1
			}
			done <- true
		}()
		v := 0
		for i := 0; i < iters; i++ {
			ping <- v
			v = <-pong
		}
		<-done
		ns[r] = float64(time.Since(t0).Nanoseconds()) / float64(iters)
		if v != iters {
			fmt.Fprintf(os.Stderr, "pingpong: value %d after %d round trips\n", v, iters)
			os.Exit(1)
		}
		fmt.Printf("rep=%d ns_per_roundtrip=%.1f\n", r, ns[r])
	}
	sort.Float64s(ns)
	fmt.Printf("pingpong iters=%d reps=%d gomaxprocs=%d best_ns=%.1f median_ns=%.1f\n", iters, reps,
		runtime.GOMAXPROCS(0), ns[0], ns[reps/2])
}
