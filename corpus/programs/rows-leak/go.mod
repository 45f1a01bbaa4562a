module gorleakcorpus/rows-leak

go 1.19
