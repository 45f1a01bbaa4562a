module gorleakcorpus/recv-leak

go 1.19
