module gorleak.dev/bench/shapes

go 1.19
