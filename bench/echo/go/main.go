// bench/echo/go/main.go: Go's twin of examples/echo/echo.c: a TCP echo
// server on loopback, a goroutine per connection, 16 KiB reads, TCP_NODELAY
// (Go's default). Prints "echo: listening on 127.0.0.1:PORT" and serves
// until killed.
//
//	echo_go [PORT]        (0 or nothing: any free port)
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
)

func serve(c net.Conn) {
	buf := make([]byte, 16384)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	c.Close()
}

func main() {
	port := 0
	if len(os.Args) > 1 {
		port, _ = strconv.Atoi(os.Args[1])
	}
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		os.Exit(1)
	}
	fmt.Printf("echo: listening on %s\n", ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "echo: accept:", err)
			continue
		}
		go serve(c)
	}
}
