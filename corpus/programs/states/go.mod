module gorleakcorpus/states

go 1.19
