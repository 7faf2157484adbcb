// bench/idle/go/go.mod: module of the Go twin of bench/idle (standard library only).
module gortbench/idle

go 1.19
