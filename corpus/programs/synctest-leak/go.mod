module gorleakcorpus/synctest-leak

go 1.25
