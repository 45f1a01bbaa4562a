module gorleakcorpus/synctest-deadlock

go 1.25
