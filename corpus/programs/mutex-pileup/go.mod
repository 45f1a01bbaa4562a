module gorleakcorpus/mutex-pileup

go 1.19
