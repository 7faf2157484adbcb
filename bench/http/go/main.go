// bench/http/go/main.go: Go's twin of bench/http/server.c: net/http with
// keep-alive (its default), one handler writing the same 13-byte body with
// the same Content-Type; net/http adds Date and Content-Length itself.
//
//	http_go [PORT]    prints "listening on 127.0.0.1:PORT"
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
)

func main() {
	port := "0"
	if len(os.Args) > 1 {
		port = os.Args[1]
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	body := []byte("Hello, World!")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(body)
	})
	http.Serve(ln, h)
}
