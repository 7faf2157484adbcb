// bench/startup/go/main.go: Go's hello world (fmt.Println), the reference
// figure printed by bench/startup next to gort's start-up time.
package main

import "fmt"

func main() {
	fmt.Println("hello, world")
}
