// The blog's Go library, rewritten here: one Collatz step and a loop of k steps, exported
// with cgo and built with `go build -buildmode=c-shared`. Go's `int` is 64 bits, so the C
// functions take and return `GoInt` (int64). Unchecked, as the blog's was.
package main

import "C"

//export collatz
func collatz(n int) int {
	if n%2 == 0 {
		return n / 2
	}
	return 3*n + 1
}

//export loopCollatz
func loopCollatz(n, k int) int {
	for i := 0; i < k; i++ {
		n = collatz(n)
	}
	return n
}

func main() {}
