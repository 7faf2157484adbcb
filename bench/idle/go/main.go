// bench/idle/go/main.go: Go's twin of bench/idle/idle.c: N goroutines
// check in on one WaitGroup and block on another until main has measured
// VmRSS and VmPTE growth per goroutine (/proc/self/status); prints the
// same figures (create_ns, rss_bytes, pte_bytes, release_ns).
//
//	idle_go [N=1000000]
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

func status(key string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if strings.HasPrefix(line, key+":") {
			fs := strings.Fields(line[len(key)+1:])
			v, _ := strconv.ParseFloat(fs[0], 64)
			return v * 1024
		}
	}
	return -1
}

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v <= 0 {
			fmt.Fprintf(os.Stderr, "bad argument %q\n", os.Args[1])
			os.Exit(2)
		}
		n = v
	}
	rss0, pte0 := status("VmRSS"), status("VmPTE")
	var started, release, finished sync.WaitGroup
	release.Add(1)
	started.Add(n)
	finished.Add(n)
	t0 := time.Now()
	for i := 0; i < n; i++ {
		go func() {
			started.Done()
			release.Wait()
			finished.Done()
		}()
	}
	started.Wait()
	t1 := time.Now()
	time.Sleep(20 * time.Millisecond)
	rss1, pte1 := status("VmRSS"), status("VmPTE")
	live := runtime.NumGoroutine()
	t2 := time.Now()
	release.Done()
	finished.Wait()
	t3 := time.Now()
	if live != n+1 {
		fmt.Fprintf(os.Stderr, "idle: %d goroutines alive, want %d\n", live, n+1)
		os.Exit(1)
	}
	fn := float64(n)
	fmt.Printf("idle n=%d gomaxprocs=%d create_ns=%.1f rss_bytes=%.0f pte_bytes=%.0f release_ns=%.1f rss_total_mib=%.1f\n",
		n, runtime.GOMAXPROCS(0), float64(t1.Sub(t0).Nanoseconds())/fn, (rss1-rss0)/fn,
		(pte1-pte0)/fn, float64(t3.Sub(t2).Nanoseconds())/fn, rss1/1048576)
}
