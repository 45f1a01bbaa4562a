module gorleakcorpus/healthy-workerpool

go 1.19
