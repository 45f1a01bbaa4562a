module gorleakcorpus/select-nocases

go 1.19
