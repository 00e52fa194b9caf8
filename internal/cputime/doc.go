// Package cputime reads the CPU time the process has used, so benchmarks
// on a busy, shared machine can report work per CPU second (which other
// load disturbs far less than wall-clock time).
package cputime
