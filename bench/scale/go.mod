module gorleak.dev/bench/scale

go 1.19
