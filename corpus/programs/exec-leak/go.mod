module gorleakcorpus/exec-leak

go 1.19
