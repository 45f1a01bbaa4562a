module gorleakcorpus/spawn-tree

go 1.19
