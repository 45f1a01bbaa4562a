// A stand-in service for the benchmarks: the module path and package layout
// give the dumps realistic function names and file paths.
module example.com/acme/orderservice

go 1.19
