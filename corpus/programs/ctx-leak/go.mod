module gorleakcorpus/ctx-leak

go 1.19
