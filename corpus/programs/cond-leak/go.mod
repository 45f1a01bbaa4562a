module gorleakcorpus/cond-leak

go 1.19
