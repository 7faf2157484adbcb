// bench/noblock/go/main.go: Go's twin of bench/noblock/children.c: N
// goroutines each run /bin/true with os/exec and wait for it, REPS times;
// prints the wall time of the best and median round and the threads the
// process had at its peak (/proc/self/status).
//
//	noblock_go N REPS        GOMAXPROCS from the environment
package main

import (
	"bufio"
	"context"
	"net"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func threads() int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if strings.HasPrefix(s.Text(), "Threads:") {
			n, _ := strconv.Atoi(strings.TrimSpace(s.Text()[8:]))
			return n
		}
	}
	return -1
}

// files DIR N SIZE_KIB REPS: the twin of bench/noblock/files.c (the files
// are made by it first; pages dropped before each round with fadvise).
func files() {
	dir := os.Args[2]
	n, _ := strconv.Atoi(os.Args[3])
	size, _ := strconv.Atoi(os.Args[4])
	reps, _ := strconv.Atoi(os.Args[5])
	var ts []float64
	peak, bad := 0, 0
	var mu sync.Mutex
	for r := 0; r < reps; r++ {
		for i := 0; i < n; i++ {
			if f, err := os.Open(fmt.Sprintf("%s/bf%d", dir, i)); err == nil {
				syscall.Syscall6(syscall.SYS_FADVISE64, f.Fd(), 0, 0, 4, 0, 0) // POSIX_FADV_DONTNEED
				f.Close()
			}
		}
		t0 := time.Now()
		var wg sync.WaitGroup
		wg.Add(n)
		for i := 0; i < n; i++ {
			go func(i int) {
				defer wg.Done()
				f, err := os.Open(fmt.Sprintf("%s/bf%d", dir, i))
				got := 0
				if err == nil {
					buf := make([]byte, 65536)
					for {
						k, err := f.Read(buf)
						got += k
						if err != nil || k == 0 {
							break
						}
					}
					f.Close()
				}
				mu.Lock()
				if got != size*1024 {
					bad++
				}
				if t := threads(); t > peak {
					peak = t
				}
				mu.Unlock()
			}(i)
		}
		wg.Wait()
		ts = append(ts, float64(time.Since(t0).Microseconds())/1000)
	}
	if bad > 0 {
		fmt.Fprintf(os.Stderr, "noblock_go: %d reads came up short\n", bad)
		os.Exit(1)
	}
	sort.Float64s(ts)
	fmt.Printf("files mode=go n=%d best_ms=%.1f median_ms=%.1f threads=%d\n", n, ts[0], ts[len(ts)/2], peak)
}

// lookups N REPS: the twin of bench/noblock/lookups.c with Go's own
// resolver (net.Resolver, PreferGo: the pure-Go one on the netpoller).
func lookups() {
	n, _ := strconv.Atoi(os.Args[2])
	reps, _ := strconv.Atoi(os.Args[3])
	r := &net.Resolver{PreferGo: true}
	var ts []float64
	peak, bad := 0, 0
	var mu sync.Mutex
	for rep := 0; rep < reps; rep++ {
		t0 := time.Now()
		var wg sync.WaitGroup
		wg.Add(n)
		for i := 0; i < n; i++ {
			go func(i int) {
				defer wg.Done()
				_, err := r.LookupIPAddr(context.Background(), fmt.Sprintf("r%d-h%d.gort.test", rep, i))
				mu.Lock()
				if err != nil {
					bad++
				}
				if t := threads(); t > peak {
					peak = t
				}
				mu.Unlock()
			}(i)
		}
		wg.Wait()
		ts = append(ts, float64(time.Since(t0).Microseconds())/1000)
	}
	if bad > 0 {
		fmt.Fprintf(os.Stderr, "noblock_go: %d lookups failed\n", bad)
		os.Exit(1)
	}
	sort.Float64s(ts)
	fmt.Printf("lookups mode=go n=%d best_ms=%.1f median_ms=%.1f threads=%d\n", n, ts[0], ts[len(ts)/2], peak)
}

func main() {
	if os.Args[1] == "files" {
		files()
		return
	}
	if os.Args[1] == "lookups" {
		lookups()
		return
	}
	n, _ := strconv.Atoi(os.Args[1])
	reps, _ := strconv.Atoi(os.Args[2])
	var ts []float64
	peak := 0
	bad := 0
	var mu sync.Mutex
	for r := 0; r < reps; r++ {
		t0 := time.Now()
		var wg sync.WaitGroup
		wg.Add(n)
		for i := 0; i < n; i++ {
			go func() {
				defer wg.Done()
				if err := exec.Command("/bin/true").Run(); err != nil {
					mu.Lock()
					bad++
					mu.Unlock()
				}
			}()
		}
		if t := threads(); t > peak {
			peak = t
		}
		wg.Wait()
		ts = append(ts, float64(time.Since(t0).Microseconds())/1000)
		if t := threads(); t > peak {
			peak = t
		}
	}
	if bad > 0 {
		fmt.Fprintf(os.Stderr, "noblock_go: %d runs failed\n", bad)
		os.Exit(1)
	}
	sort.Float64s(ts)
	fmt.Printf("children mode=go n=%d best_ms=%.1f median_ms=%.1f threads=%d\n", n, ts[0], ts[len(ts)/2], peak)
}
