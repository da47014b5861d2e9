//go:build !linux

package main

// quietStderr leaves stderr alone where descriptors cannot be swapped.
func quietStderr() (restore func()) { return func() {} }
