// bench/pipeecho/go/main.go: Go's twin of bench/pipeecho/pipeecho.c:
// PAIRS goroutine pairs over two os.Pipes each; the client writes a
// 64-byte message and reads the reply, ROUNDS times; the server writes
// back what it reads until EOF. Prints the wall time per round trip, REPS
// times, best and median.
//
//	pipeecho_go [PAIRS=100] [ROUNDS=2000] [REPS=3]        GOMAXPROCS from the environment
package main

import (
	"bytes"
	"fmt"
	"io"
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
	pairs := arg(1, 100)
	rounds := arg(2, 2000)
	reps := arg(3, 3)
	ns := make([]float64, reps)
	for r := 0; r < reps; r++ {
		type pair struct{ cw, sr, sw, cr *os.File }
		ps := make([]pair, pairs)
		for i := range ps {
			sr, cw, err1 := os.Pipe()
			cr, sw, err2 := os.Pipe()
			if err1 != nil || err2 != nil {
				fmt.Fprintln(os.Stderr, "pipeecho:", err1, err2)
				os.Exit(1)
			}
			ps[i] = pair{cw, sr, sw, cr}
		}
		var wg sync.WaitGroup
		bad := make([]bool, pairs)
		t0 := time.Now()
		wg.Add(2 * pairs)
		for i := range ps {
			p := ps[i]
			go func() {
				b := make([]byte, 256)
				for {
					n, err := p.sr.Read(b)
					if n > 0 {
						p.sw.Write(b[:n])
					}
					if err != nil {
						break
					}
				}
				wg.Done()
			}()
			go func(i int) {
				m := make([]byte, 64)
				rb := make([]byte, 64)
				for k := 0; k < rounds; k++ {
					for j := range m {
						m[j] = byte(k + j)
					}
					if _, err := p.cw.Write(m); err != nil {
						bad[i] = true
					}
					if _, err := io.ReadFull(p.cr, rb); err != nil || !bytes.Equal(m, rb) {
						bad[i] = true
					}
				}
				p.cw.Close()
				wg.Done()
			}(i)
		}
		wg.Wait()
		ns[r] = float64(time.Since(t0).Nanoseconds()) / float64(pairs*rounds)
		for i, p := range ps {
			if bad[i] {
				fmt.Fprintf(os.Stderr, "pipeecho: pair %d: a reply differed\n", i)
				os.Exit(1)
			}
			p.sr.Close()
			p.sw.Close()
			p.cr.Close()
		}
		fmt.Printf("rep=%d ns_per_round_trip=%.0f\n", r, ns[r])
	}
	sort.Float64s(ns)
	fmt.Printf("pipeecho pairs=%d rounds=%d reps=%d gomaxprocs=%d best_ns=%.0f median_ns=%.0f\n", pairs, rounds,
		reps, runtime.GOMAXPROCS(0), ns[0], ns[reps/2])
}
