// bench/keepup/go/main.go: Go's twin of bench/keepup/keepup.c: N
// goroutines each time.Sleep(1ms) in a loop for S seconds; the lateness of
// each wake-up (10 us buckets, the first 0.5 s left out): p50, p99, max.
//
//	keepup_go [N=100000] [S=3]        GOMAXPROCS from the environment
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

const (
	shards   = 16
	buckets  = 10001
	bucketNs = 10000
)

var hist [shards][buckets]uint32

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
	n := arg(1, 100000)
	s := arg(2, 3)
	var stop int32
	var wg sync.WaitGroup
	t0 := time.Now()
	recordFrom := t0.Add(500 * time.Millisecond)
	wg.Add(n)
	for i := 0; i < n; i++ {
		h := &hist[i%shards]
		go func() {
			for atomic.LoadInt32(&stop) == 0 {
				due := time.Now().Add(time.Millisecond)
				time.Sleep(time.Millisecond)
				now := time.Now()
				if now.Before(recordFrom) {
					continue
				}
				b := int(now.Sub(due).Nanoseconds() / bucketNs)
				if b < 0 {
					b = 0
				}
				if b >= buckets {
					b = buckets - 1
				}
				atomic.AddUint32(&h[b], 1)
			}
			wg.Done()
		}()
	}
	time.Sleep(time.Duration(s) * time.Second)
	t1 := time.Now()
	atomic.StoreInt32(&stop, 1)
	wg.Wait()
	var total uint64
	var count [buckets]uint64
	for b := 0; b < buckets; b++ {
		for k := 0; k < shards; k++ {
			count[b] += uint64(atomic.LoadUint32(&hist[k][b]))
		}
		total += count[b]
	}
	qs := []float64{0.5, 0.99, 1.0}
	us := make([]float64, 3)
	for i, q := range qs {
		want := uint64(q * float64(total))
		if want == 0 {
			want = 1
		}
		var acc uint64
		for b := 0; b < buckets; b++ {
			acc += count[b]
			if acc >= want {
				us[i] = float64(b+1) * bucketNs / 1000.0
				break
			}
		}
	}
	secs := t1.Sub(recordFrom).Seconds()
	extra := ""
	if count[buckets-1] != 0 {
		extra = " (max: 100 ms or more)"
	}
	fmt.Printf("keepup n=%d gomaxprocs=%d seconds=%d wakes_per_s=%.0f ideal_per_s=%.0f p50_us=%.0f p99_us=%.0f max_us=%.0f%s\n",
		n, runtime.GOMAXPROCS(0), s, float64(total)/secs, float64(n)*1000.0, us[0], us[1], us[2], extra)
}
