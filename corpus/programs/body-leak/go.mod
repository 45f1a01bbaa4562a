module gorleakcorpus/body-leak

go 1.19
